from fastapi.testclient import TestClient

from leafledger.dialects.metrc.table import ROWS
from tests.conftest import DemoAccess


def test_employees_requires_credentials(client: TestClient) -> None:
    response = client.get("/employees/v2/", params={"licenseNumber": "LL-DEMO-CUL-0001"})
    assert response.status_code == 401
    assert "Message" in response.json()


def test_unimplemented_row_answers_501(client: TestClient, demo: DemoAccess) -> None:
    row = next(r for r in ROWS if r.handler is None and r.method == "GET" and "{" not in r.path)
    response = client.get(
        row.path, params={"licenseNumber": demo.licenses["Cultivator"]}, headers=demo.headers
    )
    assert response.status_code == 501
    assert "not implemented" in response.json()["Message"]
