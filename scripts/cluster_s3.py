"""The cluster's local S3: moto's S3 server on CLUSTER_S3_PORT with the media bucket made,
until stopped. Objects live in memory: they are gone when the cluster stops."""

import logging
import os
import signal
import threading

import boto3
from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(os.environ["CLUSTER_S3_PORT"])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name=os.environ["AWS_S3_REGION_NAME"],
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=bucket)
    print(f"S3 (moto) on http://127.0.0.1:{port}, bucket {bucket}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
