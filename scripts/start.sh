#!/bin/sh
# `npm start`: install what is missing, build the server and the console, run on the embedded default.
set -e
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -f .env ] || cp .env.example .env
npm run --silent build
exec node --enable-source-maps dist/server/main.js
