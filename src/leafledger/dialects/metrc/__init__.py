"""The Metrc Web API dialect (v1 and v2): PascalCase JSON, Basic auth, licenseNumber scoping."""
