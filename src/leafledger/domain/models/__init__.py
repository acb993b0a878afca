"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from leafledger.domain.models.audit import AuditEvent
from leafledger.domain.models.base import Base
from leafledger.domain.models.facility import Facility
from leafledger.domain.models.identity import Employee, Integrator, User
from leafledger.domain.models.sandbox import DemoSandbox

__all__ = ["AuditEvent", "Base", "DemoSandbox", "Employee", "Facility", "Integrator", "User"]
