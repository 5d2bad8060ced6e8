# shellcheck shell=sh
# The guest side of 'make demo': load the stack, show it working.
mod=/lwipk/modules
set -e
echo "== insmod lwip.ko"
insmod $mod/lwip.ko
echo "== /proc/lwip/netifs"
cat /proc/lwip/netifs
echo "== lwIP self test over 127.0.0.1 (netconn TCP echo, UDP round trip)"
dmesg -c >/dev/null
insmod $mod/lwip_selftest.ko suite=stack
dmesg | sed -n 's/^\[[^]]*\] lwip_selftest: //p'
rmmod lwip_selftest
if [ -f $mod/lwip_sock.ko ] && [ -x /lwipk/bin/brownlazy ]; then
	echo "== brownlazy over lwIP sockets on 127.0.0.1:19"
	insmod $mod/lwip_sock.ko
	brownlazy
	rmmod lwip_sock
fi
echo "== /proc/lwip/stats"
cat /proc/lwip/stats
rmmod lwip
