#!/bin/sh
# Installs and starts what the project needs from the system, only where it is missing.
#   scripts/ensure-system.sh python     python3 with venv
#   scripts/ensure-system.sh ffmpeg     ffmpeg and ffprobe
#   scripts/ensure-system.sh services   PostgreSQL and Redis, installed and running
#   scripts/ensure-system.sh chromium   headless Chromium for the browser tests (Debian's)
#   scripts/ensure-system.sh speech     espeak-ng: real speech for the transcription tests
#   scripts/ensure-system.sh gettext    msgfmt, which compiles the message catalogues
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "Need root or sudo to install system packages." >&2; exit 1
    fi
fi

APT_UPDATED=""
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Missing $*; install it with your system's package manager and re-run." >&2
        exit 1
    fi
    if [ -z "$APT_UPDATED" ]; then
        echo "==> apt-get update"
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
    echo "==> apt-get install $*"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_python() {
    if ! command -v python3 >/dev/null 2>&1; then apt_install python3 python3-venv python3-dev; fi
    if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then apt_install python3-venv; fi
}

ensure_ffmpeg() {
    if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
        apt_install ffmpeg
    fi
    # Text overlays and quote images use DejaVu (a free font installed by a package).
    if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
        || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ]; then
        apt_install fonts-dejavu-core
    fi
}

ensure_chromium() {
    # Playwright drives the system browser (never `playwright install`): Debian's package.
    if ! command -v chromium >/dev/null 2>&1; then apt_install chromium; fi
}

ensure_speech() {
    if ! command -v espeak-ng >/dev/null 2>&1; then apt_install espeak-ng; fi
}

ensure_gettext() {
    if ! command -v msgfmt >/dev/null 2>&1; then apt_install gettext; fi
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

ensure_postgres() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_isready >/dev/null 2>&1; then
        apt_install postgresql postgresql-client
    fi
    if ! pg_up; then
        echo "==> starting PostgreSQL"
        for version in $(ls /etc/postgresql 2>/dev/null); do
            $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
                || $SUDO pg_ctlcluster "$version" main start || true
        done
        for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 1; done
        pg_up || { echo "PostgreSQL did not start; see /var/log/postgresql/." >&2; exit 1; }
    fi
    # The tests log in as postgres/postgres over TCP; give the role that password if it has none.
    if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1" >/dev/null 2>&1; then
        echo "==> setting the postgres role's password for local tests"
        $SUDO -u postgres psql -q -c "ALTER USER postgres PASSWORD 'postgres'" 2>/dev/null \
            || su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
    fi
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

ensure_redis() {
    if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
    if ! redis_up; then
        echo "==> starting Redis"
        $SUDO mkdir -p /var/lib/redis /var/log/redis
        $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/cnt-tests.log
        for _ in 1 2 3 4 5 6 7 8 9 10; do redis_up && break; sleep 1; done
        redis_up || { echo "Redis did not start; see /var/log/redis/." >&2; exit 1; }
    fi
}

for what in "$@"; do
    case "$what" in
        python) ensure_python ;;
        ffmpeg) ensure_ffmpeg ;;
        services) ensure_postgres; ensure_redis ;;
        chromium) ensure_chromium ;;
        speech) ensure_speech ;;
        gettext) ensure_gettext ;;
        *) echo "unknown: $what (python, ffmpeg, services, chromium, speech, gettext)" >&2; exit 2 ;;
    esac
done
