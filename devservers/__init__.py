"""Development servers and doubles: what stands in for the world outside the shop.

- `python -m devservers.supplier_stub`: the supplier's catalog API (supplier_*.py, produce.py);
- `python -m devservers.smtp_sink`: the mail server that stores what the shop sends, and
  `mailbox.py`, which reads it back (the staff mailbox, the tests);
- `payment_gateway.py`: the demo gateway behind `shop.orders.payments.PaymentGateway`
  (settings.PAYMENT_GATEWAY).

The feature apps never need this package in production: their only links to it are the
gateway setting and the demo endpoints, mounted with settings.DEMO_MODE (shop/urls.py).
Nothing is imported here: the servers start without Django.
"""
