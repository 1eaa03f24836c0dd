"""The naive baselines, written the way the usual Celery tutorial writes them.

They exist only to be measured against the shop's way, in the same run and on the same
workers (bench/scenarios/). Never use them in the shop.
"""
