#!/bin/bash
# db-replica's entrypoint: at the first start, copy the primary with pg_basebackup (-R: a standby
# that streams from it, with its own replication slot so the primary keeps the WAL it has not
# received yet); then run as a hot standby. PGPASSWORD comes from compose.
set -euo pipefail
DATA=/var/lib/postgresql/data
if [ ! -s "$DATA/PG_VERSION" ]; then
  until pg_basebackup -h db -U portal -D "$DATA" -R -X stream -C -S portal_replica; do
    echo "waiting for the primary"; sleep 2
  done
  chmod 0700 "$DATA"
fi
exec postgres -c hot_standby=on -c timezone=UTC
