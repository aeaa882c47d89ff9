#!/bin/sh
# The booth display: Chromium in kiosk mode (full screen, no address bar, no crash bubbles) on the booth page,
# waiting until the kiosk answers /healthz. Start it from the display user's session (autostart entry).
# Usage: booth-display.sh [URL]   (default http://127.0.0.1:8000/booth)
set -eu
URL="${1:-http://127.0.0.1:8000/booth}"
BASE=$(printf '%s' "$URL" | sed -E 's#^(https?://[^/]+).*#\1#')
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
i=0
until curl -fsS "$BASE/healthz" >/dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -ge 120 ] && { echo "kiosk not answering at $BASE/healthz" >&2; exit 1; }
    sleep 1
done
PROFILE="${XDG_RUNTIME_DIR:-/tmp}/booth-chromium"
exec "$BROWSER" --kiosk --noerrdialogs --disable-infobars --no-first-run --disable-session-crashed-bubble \
    --disable-translate --overscroll-history-navigation=0 --autoplay-policy=no-user-gesture-required \
    --use-fake-ui-for-media-stream --user-data-dir="$PROFILE" "$URL"
