#!/usr/bin/env bash
# Install everything Kiln needs on a Debian 12 host: Debian packages, and the Debian
# source packages of QEMU and lwIP unpacked into build/src/. Idempotent: a second run
# on a ready machine installs nothing and returns quickly.
#
#   tools/deps.sh          what building, running and testing Kiln needs
#   tools/deps.sh --lava   only what `make test-lava` adds (docs/lava.md): Debian's
#                          lava-dispatcher (lava-run) and tftpd-hpa (installed, not
#                          started: a worker's TFTP directory), telnet and ipmitool (the
#                          console and power commands of the bare-metal dictionary, which
#                          lava-run --validate looks up), and the device-type templates of
#                          Debian's lava-server package unpacked under build/lava/lava-server
#                          (downloaded, not installed: no server, database or web service)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/src"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "${1:-}" = "--lava" ]; then
	lava_pkgs=(lava-dispatcher tftpd-hpa telnet ipmitool python3-jinja2 python3-yaml)
	need=()
	for p in "${lava_pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
	done
	types="$top/build/lava/lava-server/usr/share/lava-server/device-types"
	if [ ${#need[@]} -gt 0 ] || [ ! -f "$types/qemu.jinja2" ]; then
		as_root apt-get update -qq
	fi
	if [ ${#need[@]} -gt 0 ]; then
		echo "deps: installing ${need[*]}"
		# Install, do not start: tftpd-hpa is here for its TFTP directory setting, which
		# lava-run reads to validate a TFTP deploy; the tests start no TFTP server. A
		# policy-rc.d of our own (only if there is none) keeps the package from starting it.
		policy=/usr/sbin/policy-rc.d
		own_policy=0
		if [ ! -e "$policy" ]; then
			printf '#!/bin/sh\n# tools/deps.sh --lava: install services without starting them\nexit 101\n' |
				as_root tee "$policy" >/dev/null
			as_root chmod 755 "$policy"
			own_policy=1
		fi
		status=0
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ||
			status=$?
		[ $own_policy -eq 1 ] && as_root rm -f "$policy"
		[ $status -eq 0 ] || exit $status
	fi
	if [ ! -f "$types/qemu.jinja2" ]; then
		echo "deps: unpacking Debian's lava-server device-type templates into build/lava/lava-server"
		tmp=$(mktemp -d)
		chmod 755 "$tmp"  # apt's download sandbox user must be able to write there
		(cd "$tmp" && apt-get download -qq lava-server >/dev/null 2>&1) ||
			{ echo "deps: apt-get download lava-server failed" >&2; rm -rf "$tmp"; exit 1; }
		rm -rf "$top/build/lava/lava-server"
		mkdir -p "$top/build/lava"
		dpkg-deb -x "$tmp"/lava-server_*.deb "$top/build/lava/lava-server"
		rm -rf "$tmp"
		[ -f "$types/qemu.jinja2" ] || { echo "deps: lava-server has no device-types/qemu.jinja2" >&2; exit 1; }
	fi
	echo "deps: lava ready"
	exit 0
fi

packages=(
	# the UEFI application
	clang lld llvm binutils make gnu-efi
	# booting it
	ovmf qemu-system-x86 mtools dosfstools gdisk
	# host unit tests
	libcmocka-dev libclang-rt-14-dev
	# building QEMU with the device model
	ninja-build meson libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev flex bison
	python3 python3-venv ccache pkg-config dpkg-dev
	# lab tools and network peers
	iperf libxml2-utils sbsigntool efitools openssl python3-matplotlib python3-yaml
)

need=()
for p in "${packages[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done

# apt-get source needs a deb-src entry. Mirror Debian's own deb entry (same URIs and
# suites) instead of naming a mirror here.
add_deb_src() {
	local list=/etc/apt/sources.list.d/kiln-deb-src.sources
	[ -f "$list" ] && return 1
	local main=/etc/apt/sources.list.d/debian.sources
	if [ -f "$main" ]; then
		awk 'BEGIN{RS=""; ORS="\n\n"} /Types:[ \t]*deb/ && !/security/ {sub(/Types:[ \t]*deb[^\n]*/, "Types: deb-src"); print}' \
			"$main" | as_root tee "$list" >/dev/null
	elif [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | grep -v security | sed 's/^deb /deb-src /' |
			as_root tee /etc/apt/sources.list.d/kiln-deb-src.list >/dev/null
		as_root touch "$list"
	fi
	return 0
}

updated=0
if add_deb_src; then updated=1; fi
if [ ${#need[@]} -gt 0 ] || [ $updated -eq 1 ] || ! compgen -G "$src/qemu-*/configure" >/dev/null ||
	! compgen -G "$src/lwip-*/src/core/tcp.c" >/dev/null; then
	as_root apt-get update -qq
fi
if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Debian source packages, unpacked (with Debian's patches) under build/src/.
mkdir -p "$src"
fetch_source() { # package, probe file
	local pkg=$1 probe=$2
	compgen -G "$src/$pkg-*/$probe" >/dev/null && return 0
	echo "deps: fetching Debian source package $pkg"
	(cd "$src" && apt-get source -qq "$pkg" >/dev/null)
	compgen -G "$src/$pkg-*/$probe" >/dev/null || { echo "deps: apt-get source $pkg gave no $probe" >&2; exit 1; }
}
fetch_source qemu configure
fetch_source lwip src/core/tcp.c
echo "deps: ready"
