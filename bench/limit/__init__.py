"""The limits: hand-written single-process loops that do only the unavoidable work of each
bulk workflow (the same Pillow encodes, SMTP server, supplier HTTP or SQL), without tasks,
tracking or retries. Measured beside the shop's way (bench/scenarios/) to show how close it
comes to what the machine allows. Never use them in the shop.
"""
