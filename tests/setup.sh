#!/usr/bin/env bash
# Install what the test suite needs: a virtualenv (.venv) with coopserv and its test extras,
# Debian's Chromium for the browser tests (Playwright cannot download browsers here) and Debian's
# mosquitto, the MQTT broker the smart-parking tests start on a free port.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
# The example plugin lives outside the core and is installed like any third-party plugin.
.venv/bin/pip install --quiet --disable-pip-version-check -e examples/coopserv-coworking
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/sbin/mosquitto ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium mosquitto > /dev/null
fi
