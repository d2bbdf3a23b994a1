#!/usr/bin/env bash
# Install everything Kiln needs on a Debian 12 host: Debian packages, and the Debian
# source packages of QEMU and lwIP unpacked into build/src/. Idempotent: a second run
# on a ready machine installs nothing and returns quickly.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/src"

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
	# the kernel's KTAP parser comes out of linux-source's .tar.xz
	xz-utils
	# lab tools and network peers
	iperf libxml2-utils sbsigntool efitools openssl python3-matplotlib python3-yaml
)

need=()
for p in "${packages[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

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
	! compgen -G "$src/lwip-*/src/core/tcp.c" >/dev/null || [ ! -f "$src/kunit/kunit_parser.py" ]; then
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

# The Linux kernel's KTAP parser (tools/testing/kunit/*.py) and the KTAP spec, the real
# consumer make test proves Kiln's output against: taken from Debian's linux-source package
# (its kernel tarball; only these files are kept), into build/src/kunit/.
KUNIT_PKG=linux-source-6.1
if [ ! -f "$src/kunit/kunit_parser.py" ]; then
	echo "deps: fetching the kernel's KTAP parser from Debian's $KUNIT_PKG"
	tmp=$(mktemp -d "$src/.kunit.XXXXXX") && chmod a+rwx "$tmp"  # apt-get download runs as _apt
	(cd "$tmp" && apt-get download -qq "$KUNIT_PKG" >/dev/null)
	deb=$(ls "$tmp"/*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' | xz -dc |
		tar -x -C "$tmp" --wildcards '*/tools/testing/kunit/*.py' '*/Documentation/dev-tools/ktap.rst'
	mkdir -p "$src/kunit"
	cp "$tmp"/linux-source-*/tools/testing/kunit/*.py "$tmp"/linux-source-*/Documentation/dev-tools/ktap.rst "$src/kunit/"
	dpkg-deb -f "$deb" Package Version | tr '\n' ' ' >"$src/kunit/VERSION"
	rm -rf "$tmp"
	[ -f "$src/kunit/kunit_parser.py" ] || { echo "deps: $KUNIT_PKG gave no kunit_parser.py" >&2; exit 1; }
fi
echo "deps: ready"
