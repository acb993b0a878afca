"""Endpoint-table machinery shared by the dialects: mounting, auth, scoping, paging, limits."""
