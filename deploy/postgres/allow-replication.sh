#!/bin/bash
# Run once by the postgres image when `db` is initialised (/docker-entrypoint-initdb.d): the
# standby (db-replica) may stream from this primary as the portal's user, with its password.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
