"""The design Trawl replaces, reproduced for bench/throughput.ts: `requests.get` per URL (no session,
so no connection reuse), a ThreadPoolExecutor with 5 workers, timeout=10, each body written to a file.

Usage: python3 python_baseline.py <url-list-file> <out-dir>
Prints one JSON line: {"downloaded": n, "failed": n, "bytes": n}.
"""
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import requests


def download(url, out_dir):
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    path = os.path.join(out_dir, url.rsplit("/", 1)[-1])
    with open(path, "wb") as f:
        f.write(response.content)
    return len(response.content)


def main():
    list_file, out_dir = sys.argv[1], sys.argv[2]
    with open(list_file) as f:
        urls = [line.strip() for line in f if line.strip()]
    downloaded = failed = total = 0
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(download, url, out_dir) for url in urls]
        for future in futures:
            try:
                total += future.result()
                downloaded += 1
            except Exception:  # the old design logged and went on
                failed += 1
    print(json.dumps({"downloaded": downloaded, "failed": failed, "bytes": total}))


if __name__ == "__main__":
    main()
