#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, to test the Slurm profile (workflow/profiles/slurm)
# without a real cluster. Debian's slurm-wlm (slurmctld + slurmd) and munge; no accounting
# database (the profile queries job states with squeue). Needs root (apt, daemons).
#
#   workflow/slurm/local_cluster.sh start    install if needed, configure, start, wait until idle
#   workflow/slurm/local_cluster.sh status   sinfo and squeue
#   workflow/slurm/local_cluster.sh stop     stop the daemons this script started
#
# `start` records the PID of each daemon it starts in $STATE/<daemon>.pid (a daemon already
# running is left as it is and not recorded); `stop` ends exactly those PIDs, each only if
# /proc/<pid>/comm still names the daemon, never other processes of the same name (on a shared
# machine they may be someone else's), and removes the records. The daemons are machine-wide
# (one /etc/slurm/slurm.conf), so their records live in /run, not in a checkout; /run is
# emptied at boot, when the daemons and their PIDs are gone too.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))   # 80% of RAM for jobs
STATE=${SLURM_LOCAL_STATE:-/run/charchallenge-slurm}   # <daemon>.pid of each daemon that start started
SLURMCTLD_PIDFILE=/run/slurmctld.pid   # where each daemon writes its own PID (slurm.conf, munged --pid-file)
SLURMD_PIDFILE=/run/slurmd.pid
MUNGED_PIDFILE=/run/munge/munged.pid

install() {
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        echo "installing slurm-wlm and munge (Debian packages)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
    fi
}

configure() {
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
    chmod 0700 /etc/munge /var/lib/munge /var/log/munge
    chmod 0400 /etc/munge/munge.key
    cat > "$CONF" <<CONF
# Written by workflow/slurm/local_cluster.sh: one node, this machine.
ClusterName=charchallenge-local
SlurmctldHost=${HOST}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=${SLURMCTLD_PIDFILE}
SlurmdPidFile=${SLURMD_PIDFILE}
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=local Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF
}

# is_running PID NAME: PID is a live process whose /proc/PID/comm is NAME
is_running() {
    [[ $1 =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# record NAME PIDFILE: once daemon NAME has written its PID to PIDFILE, keep it in $STATE/NAME.pid
record() {
    local name=$1 pidfile=$2 pid
    mkdir -p "$STATE"
    for _ in $(seq 1 100); do
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if is_running "$pid" "$name"; then
            echo "$pid" > "$STATE/$name.pid"
            return 0
        fi
        sleep 0.1
    done
    echo "warning: $name wrote no PID to $pidfile; 'stop' will not end it" >&2
}

# launch NAME PIDFILE COMMAND...: start daemon NAME unless one runs already, and record its PID
launch() {
    local name=$1 pidfile=$2
    shift 2
    pgrep -x "$name" >/dev/null && return 0
    rm -f "$pidfile"
    "$@"
    record "$name" "$pidfile"
}

start() {
    install
    configure
    launch munged "$MUNGED_PIDFILE" runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGED_PIDFILE"
    launch slurmctld "$SLURMCTLD_PIDFILE" slurmctld
    launch slurmd "$SLURMD_PIDFILE" slurmd
    for _ in $(seq 1 60); do
        if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
            echo "Slurm is up: $(sinfo -h -o '%P %D %T %c CPUs %m MB' | head -1)"
            return 0
        fi
        scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
        sleep 1
    done
    echo "Slurm did not come up; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
    return 1
}

stop() {
    local name file pid
    for name in slurmd slurmctld munged; do
        file="$STATE/$name.pid"
        if [ ! -f "$file" ]; then
            echo "$name: no $file (not started by this script), left alone"
            continue
        fi
        pid=$(cat "$file")
        if is_running "$pid" "$name"; then
            kill "$pid" || true
        else
            echo "$name: recorded PID $pid is gone or no longer $name, left alone"
        fi
        rm -f "$file"
    done
    echo "Slurm stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) sinfo; squeue ;;
    *) echo "usage: $0 start|status|stop" >&2; exit 2 ;;
esac
