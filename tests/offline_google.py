"""Google Cloud Storage and Google sign-in, offline, at their network boundary: a GCS emulator
(gcp-storage-emulator, the JSON API over HTTP, reached through STORAGE_EMULATOR_HOST) and an
OAuth token endpoint. The application-default credentials are a service account key whose
token URI is that endpoint, so gcsfs, dlt and google-auth all run their own code: they find
the key, sign a token request with it, fetch a token over HTTP and send it with each request.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import free_port


def service_account_key(project: str, token_uri: str = "https://oauth2.googleapis.com/token") -> str:
    """A key file of the shape Google issues, with a freshly made RSA key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project,
            "private_key_id": "offline",
            "private_key": pem,
            "client_email": f"ripple@{project}.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": token_uri,
        }
    )


class TokenEndpoint(BaseHTTPRequestHandler):
    """https://oauth2.googleapis.com/token as a service account's signed grant sees it."""

    def do_POST(self):  # noqa: N802 (the handler's name is fixed by http.server)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.grants += 1
        body = json.dumps(
            {
                "access_token": "offline-token",
                "expires_in": 3600,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/cloud-platform",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


@contextmanager
def google_cloud_offline(monkeypatch, folder: Path, project: str, buckets: tuple[str, ...]):
    """Yields the token endpoint's server (`.grants` counts the tokens it gave). The environment
    points gcsfs at the emulator and Google's application-default credentials at a key whose
    tokens come from the endpoint. The buckets exist, empty."""
    import gcsfs
    from dlt.common.configuration.specs.gcp_credentials import GcpDefaultCredentials
    from gcp_storage_emulator.server import create_server

    tokens = ThreadingHTTPServer(("127.0.0.1", free_port()), TokenEndpoint)
    tokens.grants = 0
    threading.Thread(target=tokens.serve_forever, daemon=True).start()
    storage_port = free_port()
    storage = create_server("127.0.0.1", storage_port, in_memory=True)
    storage.start()
    login = folder / "application_default_credentials.json"
    login.write_text(service_account_key(project, f"http://127.0.0.1:{tokens.server_port}/token"))
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{storage_port}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(login))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", project)
    # dlt stops looking for default credentials for 10 minutes after it found none
    monkeypatch.setattr(GcpDefaultCredentials, "_LAST_FAILED_DEFAULT", 0.0)
    try:
        fs = gcsfs.GCSFileSystem(token="anon", project=project, skip_instance_cache=True)
        for bucket in buckets:
            fs.mkdir(bucket)
        yield tokens
    finally:
        storage.stop()
        tokens.shutdown()


def upload(local: Path, url: str) -> None:
    """Copy a local folder tree to gs://bucket/prefix (the emulator, no credentials)."""
    import gcsfs

    fs = gcsfs.GCSFileSystem(token="anon", skip_instance_cache=True)
    fs.put(str(local), url.removeprefix("gs://"), recursive=True)
