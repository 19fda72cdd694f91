"""What the shop's API takes and gives, as pydantic models.

The examples given here end up in the app's OpenAPI schema: the docs page shows
them, and schedviz's route picker fills a request's fields with them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Product(BaseModel):
    id: int
    name: str
    price_cents: int


class Customer(BaseModel):
    id: int
    name: str
    email: str


class OrderIn(BaseModel):
    """An order for one product, as the client sends it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"product_id": 42, "quantity": 2}]})

    product_id: int = Field(gt=0, examples=[42])
    quantity: int = Field(default=1, ge=1, le=100, examples=[2])


class OrderOut(BaseModel):
    """The order as placed: paid, recorded, its receipt on the way."""

    order_id: int
    product: Product
    quantity: int
    total_cents: int
    charge_id: str
    receipt_to: str
