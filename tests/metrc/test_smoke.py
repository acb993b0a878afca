from fastapi.testclient import TestClient

from leafledger.dialects.metrc.table import ROWS


def test_employees_requires_credentials(client: TestClient) -> None:
    response = client.get("/employees/v2/", params={"licenseNumber": "LL-DEMO-CUL-0001"})
    assert response.status_code == 401
    assert "Message" in response.json()


def test_every_catalogue_row_is_served() -> None:
    """Every endpoint of the catalogue has a handler: none is left to answer 501 (Trace rows
    still unbuilt answer 501 in their own envelope, tests/trace/test_table.py)."""
    assert [f"{r.method} {r.path}" for r in ROWS if r.handler is None] == []
