#!/usr/bin/env bash
# Installs the local servers `npm run test:aws` runs the shipped Lambda assets against, pinned, into
# git-ignored folders under .cache/ (re-running is a no-op once everything is in place):
#   .cache/venv     Python venv: moto[server] (S3, SQS, EventBridge API), dvc + dvc-s3
#   .cache/trino    Trino server (Athena engine v3 is Trino-based) from Maven Central
#   .cache/node22   Node 22, the Lambda runtime's major version, from the npm registry
# Prints the paths as KEY=value lines on stdout so the test runner can read them.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
DVC_VERSION=3.67.1
DVC_S3_VERSION=3.3.0
# Trino 476 needs Java 24 or newer; the machine's default is Java 17, so it runs on the Temurin 25 JDK.
TRINO_VERSION=476
NODE22_VERSION=22

CACHE="$PWD/.cache"
mkdir -p "$CACHE"
log() { echo "aws-tools: $*" >&2; }

# Java: the first JDK >= 24 found (JAVA25_HOME wins if set).
java_home=""
for candidate in "${JAVA25_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/java-24-openjdk-amd64; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then java_home="$candidate"; break; fi
done
if [ -z "$java_home" ]; then
  log "Trino $TRINO_VERSION needs Java 24+; none found (set JAVA25_HOME)"; exit 1
fi

venv="$CACHE/venv"
stamp="$venv/.pinned-moto-$MOTO_VERSION-dvc-$DVC_VERSION-dvcs3-$DVC_S3_VERSION"
if [ ! -f "$stamp" ]; then
  log "creating Python venv with moto[server]==$MOTO_VERSION dvc==$DVC_VERSION dvc-s3==$DVC_S3_VERSION"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "dvc==$DVC_VERSION" "dvc-s3==$DVC_S3_VERSION" >&2
  touch "$stamp"
fi

trino="$CACHE/trino/trino-server-$TRINO_VERSION"
if [ ! -f "$trino/.complete" ]; then
  log "downloading trino-server $TRINO_VERSION from Maven Central (about 820 MB, once)"
  mkdir -p "$CACHE/trino"
  tarball="$CACHE/trino/trino-server-$TRINO_VERSION.tar.gz"
  url="https://repo1.maven.org/maven2/io/trino/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz"
  curl -fsSL --retry 3 -o "$tarball.part" "$url"
  expected="$(curl -fsSL "$url.sha1" | cut -c1-40)"
  actual="$(sha1sum "$tarball.part" | cut -c1-40)"
  if [ "$expected" != "$actual" ]; then log "trino tarball sha1 mismatch ($actual, expected $expected)"; exit 1; fi
  rm -rf "$trino"
  tar -xzf "$tarball.part" -C "$CACHE/trino"
  # Only the Hive connector is used; the other ~60 plugins would cost start-up time and disk.
  find "$trino/plugin" -mindepth 1 -maxdepth 1 -type d ! -name hive -exec rm -rf {} +
  rm -f "$tarball.part"
  touch "$trino/.complete"
fi

node22="$CACHE/node22"
if [ ! -x "$node22/node_modules/node/bin/node" ]; then
  log "installing node@$NODE22_VERSION into $node22"
  npm i --silent --no-audit --no-fund --no-save --prefix "$node22" "node@$NODE22_VERSION" >&2
fi

echo "PYTHON_VENV=$venv"
echo "MOTO_SERVER=$venv/bin/moto_server"
echo "DVC=$venv/bin/dvc"
echo "TRINO_HOME=$trino"
echo "TRINO_JAVA_HOME=$java_home"
echo "NODE22=$node22/node_modules/node/bin/node"
echo "MOTO_VERSION=$MOTO_VERSION"
echo "DVC_VERSION=$DVC_VERSION"
echo "TRINO_VERSION=$TRINO_VERSION"
