#!/bin/sh
# Create the three master secrets once, readable only by the image's user (uid 10001).
# Never run it again on a server that holds data: a new issuer secret makes every
# organisation's signing key unreadable, a new wallet secret every holder's vault.
set -eu
dir=${MUSETTE_SECRETS_DIR:-$(dirname "$0")/secrets}
mkdir -p "$dir"
chmod 0700 "$dir"
for service in issuer wallet verifier; do
    file="$dir/$service.master.key"
    if [ -e "$file" ]; then
        echo "$file exists: kept"
        continue
    fi
    # 32 random bytes, base64url without padding (what the services read)
    umask 077
    head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$file"
    chown 10001:10001 "$file" 2>/dev/null || echo "warning: $file is not owned by uid 10001 (run as root)"
    chmod 0400 "$file"
    echo "$file created"
done
