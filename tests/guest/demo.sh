# shellcheck shell=sh
# The guest side of 'make demo' (scripts/demo.sh): load the stack and show
# it working, on loopback and across the NIC.
mod=/lwipk/modules
set -e
echo "== insmod lwip.ko lwip_e1000.ko lwip_sock.ko"
insmod $mod/lwip.ko
insmod $mod/lwip_e1000.ko
insmod $mod/lwip_sock.ko
echo "== /proc/lwip/netifs"
cat /proc/lwip/netifs
echo "== brownlazy over lwIP sockets on 127.0.0.1:19"
brownlazy
echo "== brownlazy across the NIC: lwIP client -> the host's server (10.0.2.100:19)"
brownlazy --client-only --addr 10.0.2.100 --port 19
echo "== /proc/lwip/stats"
cat /proc/lwip/stats
rmmod lwip_sock
rmmod lwip_e1000
rmmod lwip
