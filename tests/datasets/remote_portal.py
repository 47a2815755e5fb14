"""A stand-in remote portal for harvesting tests (the `remote` fixture is in conftest)."""

import copy
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

RECORDED = json.loads((Path(__file__).parent / "data" / "ckan_package_search.json").read_text())


class Remote(ThreadingHTTPServer):
    """A stand-in remote portal: answers package_search from a recorded CKAN response
    (paging on `start`) and any other path from `documents`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RemoteHandler)
        self.ckan_response = RECORDED
        self.documents: dict[str, tuple[int, bytes]] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class RemoteHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        path, _sep, query = self.path.partition("?")
        if path == "/api/3/action/package_search":
            body = copy.deepcopy(self.server.ckan_response)
            start = int(parse_qs(query).get("start", ["0"])[0])
            if start >= body["result"]["count"]:
                body["result"]["results"] = []
            status, content = 200, json.dumps(body).encode()
        else:
            status, content = self.server.documents.get(path, (404, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass
