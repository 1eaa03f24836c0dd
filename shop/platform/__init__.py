"""The platform every feature app builds on: jobs and the step contract, errors, Celery glue, health."""
