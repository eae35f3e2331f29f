# Sourced by the benchmark scripts: how busy the machine is, and how much
# CPU processes other than the benchmark used while it ran, so a disturbed
# run can be told apart from a slow one; and the timing helpers they share.
# Needs $TMP (a scratch directory).

ns() { date +%s%N; }                                                          # now, ns
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }  # secs T0 T1
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / 1e6 / s : 0) }'; }  # mbps BYTES SECS

# "total idle" jiffies of the whole machine, from /proc/stat.
cpu_jiffies() { awk '$1 == "cpu" { print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6 }' /proc/stat; }

# CPU busy % of the whole machine over 2 s.
busy_pct() {
  local a b
  a=$(cpu_jiffies); sleep 2; b=$(cpu_jiffies)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1];
    printf "%d", (t > 0 ? 100 - 100 * (y[2] - x[2]) / t : 0) }'
}

# Prints the busy % before starting, with a warning when it is high.
warn_if_busy() {
  local busy
  busy=$(busy_pct)
  echo "   CPU busy before starting: $busy %"
  if [ "$busy" -gt 20 ]; then
    echo "   WARNING: something else is using the CPU: every figure will be low"
  fi
}

# children_cpu VAR: CPU-seconds used so far by this script's finished
# children (bash `times`, line 2). Must run in this shell, not in $(...).
children_cpu() {
  times > "$TMP/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] } print s }' "$TMP/times")"
}

# other_cpu START_JIFFIES END_JIFFIES OWN_S WALL_S: prints "<seconds> <percent>"
# of CPU that other processes used over WALL_S seconds.
other_cpu() {
  awk -v a="$1" -v b="$2" -v own="$3" -v wall="$4" -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); busy = ((y[1] - x[1]) - (y[2] - x[2])) / hz;
    o = busy - own; if (o < 0) o = 0;
    printf "%.0f %.0f", o, (wall > 0 ? 100 * o / (wall * n) : 0) }'
}

# warn_if_disturbed "<seconds> <percent>"
warn_if_disturbed() {
  if [ "${1#* }" -gt 5 ]; then
    echo "WARNING: other processes used the CPU during the run: the figures above are too low; run again on an idle machine"
  fi
}
