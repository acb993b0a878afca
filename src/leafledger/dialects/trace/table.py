"""The Trace endpoint table: one row per endpoint of `shared/spec/trace/endpoints.md`.

Rows are the same `Endpoint` records as the Metrc table and are mounted by the same kit. Every
path starts with `/{state}`, which the dialect checks against the facility before the handler
runs. Permissions are the Metrc catalogue's, of the Metrc endpoint each Trace endpoint maps to
(`shared/spec/trace/metrc-mapping.md`), since both dialects share one set of employees; so is
the licence type each row is meant for.

Where the spec documents a "GET by id" that lists when the id is left out, both `/x` (the list,
paged by limit/offset) and `/x/{id}` are rows. A row without a handler is mounted all the same
and answers 501 in the Trace error envelope.

Paths the spec does not capture, inferred here:
- `/{state}/v1/companies` (GET, POST) and `/{state}/v1/facilities` (POST): under the state like
  every Trace path, so a client keeps one base URL; the list is caller-scoped (the companies of
  the keys, in the path's state), paged like every list. The POST rows stay without a handler:
  facilities are registered by the operator (resources/companies.py says why).
- `/{state}/v1/config/employees/types` (the create-employee text names it), `.../additives/types`
  and `PUT .../config/additives/{id}` (by analogy with `/config/locations/types` and `/{id}`).
- The lists of the ids cultivation bodies name, beside the objects they serve, by analogy with
  `/config/locations/types` and `/sales/actions`: `/config/products/categories`,
  `/plant_batches/types` and `/actions`, `/plants/growth_phases` and `/actions`,
  `/harvests/types` and `/actions`.
- `GET /{state}/v1/transfers`, `GET` and `PUT /{state}/v1/transfers/{id}` (listed, not captured),
  and the lists their bodies name, `/transfers/types` and `/transfers/actions`.
- `/{state}/v1/sales/{identification,payment,tax}_types` (beside `customer_types` and the
  `currency_types` the update-sale text names).
- `/{state}/v1/lots/{types,actions,adjustment_reasons}`: the lot helpers the lot docs name but
  do not locate (by analogy with the sales helpers).
"""

from __future__ import annotations

from leafledger.dialects.kit.bodies import WireBody
from leafledger.dialects.kit.endpoint import (
    Body,
    Endpoint,
    Handler,
    Loader,
    Scope,
    parse_permissions,
)
from leafledger.dialects.trace.bodies import DeleteBody
from leafledger.dialects.trace.dialect import TraceEndpoint
from leafledger.dialects.trace.factories import reference_list
from leafledger.dialects.trace.resources import (
    additives,
    companies,
    employees,
    harvests,
    labs,
    locations,
    lots,
    plant_batches,
    plants,
    products,
    sales,
    strains,
    transfers,
)

OBJECT = Body.OBJECT
CALLER = Scope.CALLER

# The Metrc catalogue's licence type of the resource each Trace resource maps to.
LICENSE_TYPES = {
    "Strains": "CULTIVATOR",
    "Products": "MANUFACTURER",
    "Additives": "CULTIVATOR",
    "Plant Batches": "CULTIVATOR",
    "Plants": "CULTIVATOR",
    "Harvests": "CULTIVATOR",
    "Labs": "LAB",
    "Transfers": "DISTRIBUTOR",
    "Sales": "DISPENSARY",
}


def row(
    resource: str,
    method: str,
    path: str,
    permissions: str,
    *,
    scope: Scope = Scope.FACILITY,
    paged: bool = False,
    windowed: bool = False,
    body: Body = Body.NONE,
    batch: str | None = None,
    schema: type[WireBody] | None = None,
    loads: Loader | None = None,
    handler: Handler | None = None,
) -> Endpoint:
    return TraceEndpoint(
        resource=resource,
        license_type=LICENSE_TYPES.get(resource, "UNIVERSAL"),
        version="v1",
        method=method,
        path=path,
        permissions=parse_permissions(permissions),
        scope=scope,
        paged=paged,
        windowed=windowed,
        body=body,
        batch=batch,
        schema=schema,
        loads=loads,
        handler=handler,
    )


V1 = "/{state}/v1"
EMPLOYEES = f"{V1}/config/employees"
LOCATIONS = f"{V1}/config/locations"
STRAINS = f"{V1}/config/strains"
PRODUCTS = f"{V1}/config/products"
ADDITIVES = f"{V1}/config/additives"
PLANT_BATCHES = f"{V1}/plant_batches"
PLANTS = f"{V1}/plants"
HARVESTS = f"{V1}/harvests"
LOTS = f"{V1}/lots"
TRANSFERS = f"{V1}/transfers"
SALES = f"{V1}/sales"

# Permissions, as the Metrc catalogue names them for the mapped endpoints.
VIEW_EMPLOYEES = "Manage Employees; View Employees"  # GET /employees/v2/
MANAGE_LOCATIONS = "Manage Locations"
VIEW_IMMATURE = "View Immature Plants"  # GET /plantbatches/v2/active
PLANT_IMMATURE = "View Immature Plants; Manage Immature Plants Inventory"  # POST /plantbatches/v2/plantings
CHANGE_PHASE = "View Immature Plants; Manage Immature Plants Inventory; View Veg/Flower Plants; Manage Veg/Flower Plants Inventory"  # POST /plantbatches/v2/growthphase
VIEW_PLANTS = "View Veg/Flower Plants"  # GET /plants/v2/vegetative
CHANGE_PLANTS = "View Veg/Flower Plants; Manage Veg/Flower Plants Inventory"  # PUT /plants/v2/location
HARVEST = "View Veg/Flower Plants; Manicure/Harvest Veg/Flower Plants"  # PUT /plants/v2/harvest
VIEW_HARVESTS = "View Harvests"  # GET /harvests/v2/active
CHANGE_HARVESTS = "View Harvests; Manage Harvests"  # PUT /harvests/v2/location, /rename
RESTORE_HARVEST = "View Harvests; Finish/Discontinue Harvests"  # PUT /harvests/v2/restore/harvestedplants
VIEW_PACKAGES = "View Packages"  # GET /packages/v2/active
CREATE_PACKAGES = "View Packages; Create/Submit/Discontinue Packages"  # POST /packages/v2/
CHANGE_PACKAGES = "View Packages; Manage Packages Inventory"  # POST /packages/v2/adjust, PUT /remediate
LAB_RESULTS = "View Packages; Manage Packages Inventory"  # GET /labtests/v2/results
VIEW_TRANSFERS = "Manage Transfers; View Transfers"  # GET /transfers/v2/outgoing
TEMPLATES = "Manage Transfer Templates"  # POST/PUT /transfers/v2/templates/outgoing
RECORD_SALES = "External Sources(ThirdPartyVendorV2)/Sales (Write)"  # POST /sales/v2/receipts
VIEW_SALES = "View Sales; Manage Sales"  # GET /sales/v2/receipts/active

ROWS: tuple[Endpoint, ...] = (
    # Companies and facilities (paths inferred); facilities are the operator's to register
    row("Companies", "GET", f"{V1}/companies", "None", scope=CALLER, paged=True, handler=companies.list_companies),
    row("Companies", "POST", f"{V1}/companies", "None", scope=CALLER, body=OBJECT),
    row("Facilities", "POST", f"{V1}/facilities", "None", scope=CALLER, body=OBJECT),
    # Employees
    row("Employees", "POST", EMPLOYEES, "Manage Employees", body=OBJECT, schema=employees.NewEmployeeBody, handler=employees.create_employee),
    row("Employees", "GET", EMPLOYEES, VIEW_EMPLOYEES, paged=True, windowed=True, handler=employees.list_employees),
    row("Employees", "GET", f"{EMPLOYEES}/types", "None", scope=CALLER, handler=reference_list(employees.TYPES)),
    row("Employees", "GET", f"{EMPLOYEES}/{{id}}", VIEW_EMPLOYEES, loads=employees.EMPLOYEE, handler=employees.get_employee),
    # Locations
    row("Locations", "GET", LOCATIONS, MANAGE_LOCATIONS, paged=True, windowed=True, handler=locations.list_locations),
    row("Locations", "POST", LOCATIONS, MANAGE_LOCATIONS, body=OBJECT, schema=locations.NewLocationBody, handler=locations.create_location),
    row("Locations", "GET", f"{LOCATIONS}/types", "None", scope=CALLER, handler=locations.location_types),
    row("Locations", "GET", f"{LOCATIONS}/{{id}}", MANAGE_LOCATIONS, loads=locations.LOCATION, handler=locations.get_location),
    row("Locations", "PUT", f"{LOCATIONS}/{{id}}", MANAGE_LOCATIONS, body=OBJECT, schema=locations.LocationChangeBody, loads=locations.LOCATION, handler=locations.update_location),
    row("Locations", "DELETE", f"{LOCATIONS}/{{id}}", MANAGE_LOCATIONS, body=OBJECT, schema=DeleteBody, loads=locations.LOCATION, handler=locations.delete_location),
    # Strains
    row("Strains", "POST", STRAINS, "Manage Strains", body=OBJECT, schema=strains.NewStrainBody, handler=strains.create_strain),
    row("Strains", "GET", STRAINS, "Manage Strains", paged=True, windowed=True, handler=strains.list_strains),
    row("Strains", "GET", f"{STRAINS}/{{id}}", "Manage Strains", loads=strains.STRAIN, handler=strains.get_strain),
    row("Strains", "PUT", f"{STRAINS}/{{id}}", "Manage Strains", body=OBJECT, schema=strains.StrainChangeBody, loads=strains.STRAIN_TO_CHANGE, handler=strains.update_strain),
    # Products (Metrc items); the categories list is inferred
    row("Products", "POST", PRODUCTS, "Manage Items", body=OBJECT, schema=products.NewProductBody, handler=products.create_product),
    row("Products", "GET", PRODUCTS, "Manage Items", paged=True, windowed=True, handler=products.list_products),
    row("Products", "GET", f"{PRODUCTS}/categories", "None", scope=CALLER, handler=products.product_categories),
    row("Products", "GET", f"{PRODUCTS}/{{id}}", "Manage Items", loads=products.PRODUCT, handler=products.get_product),
    row("Products", "DELETE", f"{PRODUCTS}/{{id}}", "Manage Items", body=OBJECT, schema=DeleteBody, loads=products.PRODUCT_TO_CHANGE, handler=products.delete_product),
    # Additives (Metrc additives templates)
    row("Additives", "GET", f"{ADDITIVES}/types", "None", scope=CALLER, handler=additives.additive_types),
    row("Additives", "PUT", f"{ADDITIVES}/{{id}}", "Manage Additives", body=OBJECT, schema=additives.AdditiveChangeBody, loads=additives.ADDITIVE, handler=additives.update_additive),
    # Plant batches (the types and actions lists are inferred)
    row("Plant Batches", "POST", PLANT_BATCHES, PLANT_IMMATURE, body=OBJECT, schema=plant_batches.NewBatchBody, handler=plant_batches.create_batch),
    row("Plant Batches", "GET", PLANT_BATCHES, VIEW_IMMATURE, paged=True, windowed=True, handler=plant_batches.list_batches),
    row("Plant Batches", "GET", f"{PLANT_BATCHES}/types", "None", scope=CALLER, handler=reference_list(plant_batches.TYPES)),
    row("Plant Batches", "GET", f"{PLANT_BATCHES}/actions", "None", scope=CALLER, handler=reference_list(plant_batches.ACTIONS)),
    row("Plant Batches", "GET", f"{PLANT_BATCHES}/{{id}}", VIEW_IMMATURE, loads=plant_batches.BATCH, handler=plant_batches.get_batch),
    row("Plant Batches", "PUT", f"{PLANT_BATCHES}/{{id}}", PLANT_IMMATURE, body=OBJECT, schema=plant_batches.BatchUpdateBody, loads=plant_batches.BATCH_TO_CHANGE, handler=plant_batches.update_batch),
    # Plants (the growth phases and actions lists are inferred)
    row("Plants", "POST", PLANTS, CHANGE_PHASE, body=OBJECT, schema=plants.NewPlantsBody, handler=plants.create_plants),
    row("Plants", "GET", PLANTS, VIEW_PLANTS, paged=True, windowed=True, handler=plants.list_plants),
    row("Plants", "GET", f"{PLANTS}/growth_phases", "None", scope=CALLER, handler=reference_list(plants.PHASES)),
    row("Plants", "GET", f"{PLANTS}/actions", "None", scope=CALLER, handler=reference_list(plants.ACTIONS)),
    row("Plants", "GET", f"{PLANTS}/{{id}}", VIEW_PLANTS, loads=plants.PLANT, handler=plants.get_plant),
    row("Plants", "PUT", f"{PLANTS}/{{id}}", CHANGE_PLANTS, body=OBJECT, schema=plants.PlantUpdateBody, loads=plants.PLANT_TO_CHANGE, handler=plants.update_plant),
    # Harvests (the types and actions lists are inferred)
    row("Harvests", "POST", HARVESTS, HARVEST, body=OBJECT, schema=harvests.NewHarvestBody, handler=harvests.create_harvest),
    row("Harvests", "GET", HARVESTS, VIEW_HARVESTS, paged=True, windowed=True, handler=harvests.list_harvests),
    row("Harvests", "GET", f"{HARVESTS}/types", "None", scope=CALLER, handler=reference_list(harvests.TYPES)),
    row("Harvests", "GET", f"{HARVESTS}/actions", "None", scope=CALLER, handler=reference_list(harvests.ACTIONS)),
    row("Harvests", "GET", f"{HARVESTS}/{{id}}", VIEW_HARVESTS, loads=harvests.HARVEST, handler=harvests.get_harvest),
    row("Harvests", "PUT", f"{HARVESTS}/{{id}}", CHANGE_HARVESTS, body=OBJECT, schema=harvests.HarvestUpdateBody, loads=harvests.HARVEST_TO_CHANGE, handler=harvests.update_harvest),
    row("Harvests", "DELETE", f"{HARVESTS}/{{id}}", RESTORE_HARVEST, body=OBJECT, schema=DeleteBody, loads=harvests.HARVEST_TO_CHANGE, handler=harvests.delete_harvest),
    # Lots (Metrc packages) and their reference lists (paths inferred)
    row("Lots", "POST", LOTS, CREATE_PACKAGES, body=OBJECT, schema=lots.NewLotBody, handler=lots.create_lot),
    row("Lots", "GET", LOTS, VIEW_PACKAGES, paged=True, windowed=True, handler=lots.list_lots),
    row("Lots", "GET", f"{LOTS}/types", "None", scope=CALLER, handler=reference_list(lots.TYPES)),
    row("Lots", "GET", f"{LOTS}/actions", "None", scope=CALLER, handler=reference_list(lots.ACTIONS)),
    row("Lots", "GET", f"{LOTS}/adjustment_reasons", "None", scope=CALLER, handler=lots.adjustment_reasons),
    row("Lots", "GET", f"{LOTS}/{{id}}", VIEW_PACKAGES, loads=lots.LOT, handler=lots.get_lot),
    row("Lots", "PUT", f"{LOTS}/{{id}}", CHANGE_PACKAGES, body=OBJECT, schema=lots.LotChangeBody, loads=lots.LOT_TO_CHANGE, handler=lots.update_lot),
    # Lab results
    row("Labs", "GET", f"{V1}/labs/results/{{lot_id}}", LAB_RESULTS, loads=labs.LOT, handler=labs.lab_results),
    # Transfers (GET and PUT of /transfers, the types and actions lists inferred)
    row("Transfers", "POST", TRANSFERS, "Manage Transfers", body=OBJECT, schema=transfers.NewTransferBody, handler=transfers.create_transfer),
    row("Transfers", "GET", TRANSFERS, VIEW_TRANSFERS, paged=True, windowed=True, handler=transfers.list_transfers),
    row("Transfers", "GET", f"{TRANSFERS}/types", "None", scope=CALLER, handler=reference_list(transfers.TYPES)),
    row("Transfers", "GET", f"{TRANSFERS}/actions", "None", scope=CALLER, handler=reference_list(transfers.ACTIONS)),
    row("Transfers", "POST", f"{TRANSFERS}/template", TEMPLATES, body=OBJECT, schema=transfers.NewTemplateBody, handler=transfers.create_template),
    row("Transfers", "PUT", f"{TRANSFERS}/template/{{id}}", TEMPLATES, body=OBJECT, schema=transfers.TemplateChangeBody, loads=transfers.TEMPLATE_TO_CHANGE, handler=transfers.update_template),
    row("Transfers", "GET", f"{TRANSFERS}/{{id}}", VIEW_TRANSFERS, loads=transfers.visible_transfer, handler=transfers.get_transfer),
    row("Transfers", "PUT", f"{TRANSFERS}/{{id}}", "Manage Transfers", body=OBJECT, schema=transfers.TransferActionBody, loads=transfers.visible_transfer, handler=transfers.update_transfer),
    # Sales (Metrc sales receipts) and their reference lists
    row("Sales", "POST", SALES, RECORD_SALES, body=OBJECT, batch="sales", schema=sales.SalesBody, handler=sales.create_sales),
    row("Sales", "GET", SALES, VIEW_SALES, paged=True, windowed=True, handler=sales.list_sales),
    row("Sales", "GET", f"{SALES}/actions", "None", scope=CALLER, handler=reference_list(sales.ACTIONS)),
    row("Sales", "GET", f"{SALES}/customer_types", "None", scope=CALLER, handler=reference_list(sales.CUSTOMER_TYPES)),
    row("Sales", "GET", f"{SALES}/identification_types", "None", scope=CALLER, handler=reference_list(sales.IDENTIFICATION_TYPES)),
    row("Sales", "GET", f"{SALES}/currency_types", "None", scope=CALLER, handler=reference_list(sales.CURRENCIES)),
    row("Sales", "GET", f"{SALES}/payment_types", "None", scope=CALLER, handler=reference_list(sales.PAYMENT_TYPES)),
    row("Sales", "GET", f"{SALES}/tax_types", "None", scope=CALLER, handler=reference_list(sales.TAX_TYPES)),
    row("Sales", "GET", f"{SALES}/{{id}}", VIEW_SALES, loads=sales.SALE, handler=sales.get_sale),
    row("Sales", "PUT", f"{SALES}/{{id}}", "Manage Sales", body=OBJECT, schema=sales.SaleChangeBody, loads=sales.SALE_TO_CHANGE, handler=sales.update_sale),
)
