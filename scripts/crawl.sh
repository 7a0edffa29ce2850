#!/usr/bin/env bash
# Set up, then crawl etoday into ./data (data/newscrawl.sqlite3, data/articles.jsonl, data/tickers.jsonl).
# Extra arguments go to `scrapy crawl`, e.g.: bash scripts/crawl.sh -a max_pages=20
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec scrapy crawl etoday "$@"
