#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine (for CI and for trying the Slurm scripts), as root.
# Needs Debian's slurmctld, slurmd, slurm-client and munge packages. Idempotent: a running cluster is
# left as it is. No cgroups are required (proctrack/linuxproc, task/none).
set -euo pipefail
if sinfo -h -o %T 2>/dev/null | grep -Eq 'idle|mixed|alloc'; then
    echo "slurm: already running"
    exit 0
fi
node=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm /run/munge /etc/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=orgsim-ci
SlurmctldHost=$node
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
# A job whose dependency failed is cancelled, so `sbatch --wait` on a merge never waits for ever.
SchedulerParameters=kill_invalid_depend
CONF
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown -R munge:munge /etc/munge /run/munge 2>/dev/null || true
chmod 0400 /etc/munge/munge.key
chmod 0755 /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged --force 2>/dev/null || /usr/sbin/munged --force
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 1 30); do
    if sinfo -h -o %T 2>/dev/null | grep -Eq 'idle|mixed|alloc'; then
        echo "slurm: one-node cluster up on $node ($cpus CPUs)"
        exit 0
    fi
    sleep 1
done
echo "slurm: the cluster did not come up; logs follow" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
