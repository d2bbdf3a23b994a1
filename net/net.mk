# net/: Kiln's lwIP port and traffic apps, lwIP itself, and the suites that use them.
# Included by the top Makefile right after KILN_OBJ is defined; appends to KILN_OBJ.
# lwIP is Debian's source package, unpacked by tools/deps.sh into build/src (never committed).

LWIP_DIR := $(or $(firstword $(wildcard $(B)/src/lwip-*/src)),$(B)/src/lwip-2.1.3+dfsg1/src)
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c core/netif.c \
	core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c core/ipv4/dhcp.c netif/ethernet.c apps/lwiperf/lwiperf.c
LWIP_OBJ := $(patsubst %,$(B)/obj/lwip/%.o,$(LWIP_FILES))
# The port's headers (lwipopts.h, arch/cc.h) and its libc shims, visible to net/ code only.
LWIP_INC := -Inet/lwip/include -Inet/lwip -I$(LWIP_DIR)/include
# lwIP 2.1.3 builds clean with our warnings; relax them here (never in KCFLAGS) if a newer one does not.
LWIP_WARN :=

# The harness's results upload and the net/nic suites are lwIP users too.
NET_SRC := $(wildcard net/*.c) kernel/harness/upload.c $(foreach d,$(LWIP_SUITES),$(wildcard tests/suites/$(d)/*.c))
NET_OBJ := $(patsubst %,$(B)/obj/%.o,$(NET_SRC))
$(NET_OBJ): KCFLAGS += $(LWIP_INC)
KILN_OBJ += $(LWIP_OBJ) $(NET_OBJ)

# On a fresh clone the sources appear when tools/deps.sh has run.
$(addprefix $(LWIP_DIR)/,$(LWIP_FILES)): | $(DEPS_STAMP)
	$(Q)test -f $@ || { echo "$@ is missing: tools/deps.sh unpacks Debian's lwip source"; exit 1; }

$(LWIP_OBJ): $(B)/obj/lwip/%.c.o: $(LWIP_DIR)/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(CC) $(KCFLAGS) $(LWIP_INC) $(LWIP_WARN) -c $< -o $@

-include $(LWIP_OBJ:.o=.d)
