"""One page, fetched in a closed loop by every simulated client (started by bench/run.py,
which sets BENCH_NAME, BENCH_PATH and BENCH_COOKIE). A client sends its next request as
soon as the previous answer has arrived, so N users are N concurrent clients."""

import os

from locust import FastHttpUser, constant, task

NAME = os.environ.get("BENCH_NAME", "page")
PATH = os.environ.get("BENCH_PATH", "/")
COOKIE = os.environ.get("BENCH_COOKIE", "")


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def fetch(self) -> None:
        headers = {"Cookie": COOKIE} if COOKIE else {}
        with self.client.get(
            PATH, name=NAME, headers=headers, catch_response=True, allow_redirects=False
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
