#!/usr/bin/env bash
# Install what the test suite needs: a virtualenv (.venv) with coopserv and its test extras,
# Debian's Chromium (Playwright cannot download browsers here), Pango and fonts (WeasyPrint),
# redis-server and mosquitto (the tests start their own on free ports).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
# The example plugin lives outside the core and is installed like any third-party plugin.
.venv/bin/pip install --quiet --disable-pip-version-check -e examples/coopserv-coworking
# Debian packages: Chromium (browser tests), Pango and fonts (WeasyPrint's PDFs), redis-server (the
# several-machines test starts its own), mosquitto (the MQTT broker of the smart-parking tests).
MISSING=""
[ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
ldconfig -p | grep -q libpangoft2-1.0 || MISSING="$MISSING libpango-1.0-0 libpangoft2-1.0-0"
[ -d /usr/share/fonts/truetype/dejavu ] || MISSING="$MISSING fonts-dejavu-core"
command -v redis-server > /dev/null || MISSING="$MISSING redis-server"
[ -x /usr/sbin/mosquitto ] || MISSING="$MISSING mosquitto"
if [ -n "$MISSING" ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING > /dev/null
fi
