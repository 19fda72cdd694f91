"""A small shop API, with the mistake schedviz shows you and the ways around it.

Trace it (from the root of the schedviz repository)::

    schedviz run --app shop.main:app --app-dir visualizer/examples/shop \\
        --request "GET /products/search?q=oak+desk" --concurrency 4 --requests 4

or serve it alone: ``uvicorn shop.main:app --app-dir visualizer/examples/shop``.

=====================================  ==================================================
``GET  /products/search?q=oak+desk``   ``async def`` calling sync sqlite3: freezes the loop
``GET  /products/search-def?q=...``    the same query in ``def``: on threadpool workers
``GET  /products/{product_id}``        ``async def``, an index lookup: too short to matter
``GET  /customers/me``                 a sync dependency: a worker run of its own
``POST /orders``                       sync dependency, awaited httpx call, background task
=====================================  ==================================================

The routes that need a customer take the header ``x-api-key: demo-key-1``.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, TypedDict

from fastapi import BackgroundTasks, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool

from .catalogue import Catalogue
from .models import Customer, OrderIn, OrderOut, Product
from .payments import Payments, PaymentsService


class ShopState(TypedDict):
    """What the lifespan hands every request (``request.state``)."""

    catalogue: Catalogue
    payments: Payments


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[ShopState]:
    with tempfile.TemporaryDirectory(prefix="shop-") as folder:
        # Seeding takes most of a second and blocks the loop: at startup nothing waits.
        catalogue = Catalogue.create(Path(folder))
        service = PaymentsService.start()
        payments = Payments(service.url)
        try:
            yield {"catalogue": catalogue, "payments": payments}
        finally:
            await payments.aclose()
            service.stop()


app = FastAPI(title="Shop", summary="The example project of schedviz", lifespan=lifespan)


# -- dependencies ----------------------------------------------------------------------


async def get_catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.state.catalogue
    return catalogue


async def get_payments(request: Request) -> Payments:
    payments: Payments = request.state.payments
    return payments


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
PaymentsDep = Annotated[Payments, Depends(get_payments)]


def current_customer(
    x_api_key: Annotated[str, Header(examples=["demo-key-1"])], catalogue: CatalogueDep
) -> Customer:
    # A plain def dependency: FastAPI runs it on a threadpool worker before the
    # endpoint, even an async def one. The timeline shows it as a worker run of its own.
    customer = catalogue.customer_with_key(x_api_key)
    if customer is None:
        raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "x-api-key"})
    return customer


CurrentCustomer = Annotated[Customer, Depends(current_customer)]
SearchWords = Annotated[str, Query(min_length=2, max_length=60, examples=["oak desk"])]
ProductId = Annotated[int, PathParam(gt=0, examples=[42])]


# -- products --------------------------------------------------------------------------


@app.get("/products/search")
async def search_products(q: SearchWords, catalogue: CatalogueDep) -> list[Product]:
    # THE MISTAKE: catalogue.search is a synchronous sqlite3 query that reads every
    # product (tens of ms). Called straight from async def, it runs on the event
    # loop's thread: the loop runs nothing else until SQLite answers, and every other
    # request, however quick, waits behind it. (The fixes: the def route below, or
    # ``await run_in_threadpool(catalogue.search, q)``.)
    return catalogue.search(q)


@app.get("/products/search-def")
def search_products_def(q: SearchWords, catalogue: CatalogueDep) -> list[Product]:
    # The same query in a plain def: FastAPI runs it on a threadpool worker (AnyIO's
    # pool, 40 by default) and the loop stays free. sqlite3 lets go of the GIL while
    # SQLite works, so searches on two workers really run at once on two cores.
    return catalogue.search(q)


@app.get("/products/{product_id}")
async def get_product(product_id: ProductId, catalogue: CatalogueDep) -> Product:
    # Blocking too, but an index lookup takes a fraction of a millisecond: the loop
    # hardly notices. What counts is how long a call blocks, not that it does.
    product = catalogue.product(product_id)
    if product is None:
        raise HTTPException(404, f"no product {product_id}")
    return product


# -- customers and orders --------------------------------------------------------------


@app.get("/customers/me")
async def read_me(customer: CurrentCustomer) -> Customer:
    return customer


@app.post("/orders", status_code=201)
async def place_order(
    order: OrderIn,
    customer: CurrentCustomer,
    catalogue: CatalogueDep,
    payments: PaymentsDep,
    background: BackgroundTasks,
) -> OrderOut:
    product = catalogue.product(order.product_id)  # an index lookup: fine on the loop
    if product is None:
        raise HTTPException(404, f"no product {order.product_id}")
    total = product.price_cents * order.quantity
    # Awaited: while the payments service takes its time, the loop serves others.
    charge_id = await payments.charge(customer.id, total)
    # A write waits for the disk at its commit: sent to a worker, not run on the loop.
    order_id = await run_in_threadpool(catalogue.record_order, customer, order, total, charge_id)
    # Runs after the response is sent; a def, so on a worker (see send_receipt).
    background.add_task(payments.send_receipt, charge_id, customer.email)
    return OrderOut(
        order_id=order_id,
        product=product,
        quantity=order.quantity,
        total_cents=total,
        charge_id=charge_id,
        receipt_to=customer.email,
    )
