"""README's API commands, run as written against the whole Procfile stack.

The block after the `<!-- readme-commands: api` marker in README.md is taken out of the
README at test time and run by bash, with only the README's address swapped for the
stack's, so README and test cannot drift: a shopper logs in for a token, places an order,
and reads the order's Job by the id the order's answer gives.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.harness.processes import ROOT
from tests.harness.stack import Stack

README = ROOT / "README.md"
MARKER = "<!-- readme-commands: api"
README_ADDRESS = "http://127.0.0.1:8000"


def readme_block(marker: str = MARKER) -> str:
    """The fenced bash block that follows the marker comment."""
    text = README.read_text()
    assert text.count(marker) == 1, f"README.md must have exactly one {marker!r} block"
    after = text.split(marker, 1)[1].split("\n", 1)[1]
    fence, body = after.split("\n", 1)
    assert fence == "```bash", "the marker must sit right above a ```bash block"
    return body.split("\n```", 1)[0]


def test_the_readme_reads_the_job_id_from_the_order_response_and_quotes_its_urls():
    block = readme_block()
    assert "/api/jobs/1/" not in block, "job 1 is the first demo picture's Job, a 404 for a shopper"
    assert '["job"]["id"]' in block and '"$BASE/api/jobs/$JOB/"' in block
    assert f"BASE={README_ADDRESS}" in block
    unquoted = [
        word for line in block.splitlines() for word in line.split() if "?" in word and word[0] not in "\"'"
    ]
    assert not unquoted, f"zsh expands an unquoted ? : {unquoted}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("readme-stack"))
    # The README quotes the default demo logins.
    for name in ("DEMO_SHOPPER_PASSWORD", "DEMO_STAFF_PASSWORD"):
        running.env.pop(name, None)
    running.start()
    yield running
    running.stop()


@pytest.mark.e2e
def test_the_readmes_curl_sequence_places_an_order_and_reads_its_job(stack):
    script = readme_block().replace(README_ADDRESS, stack.url)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    products, order, job = (json.loads(line) for line in result.stdout.splitlines())

    assert products["results"], "the README's search finds no product"
    assert any("apple" in product["name"].lower() for product in products["results"])
    assert order["status"] == "placed" and order["job"]["kind"] == "order"
    assert job["id"] == order["job"]["id"] != 1
    assert job["kind"] == "order" and job["subject"] == f"order:{order['id']}"
    assert job["steps"], "the Job has no steps"
