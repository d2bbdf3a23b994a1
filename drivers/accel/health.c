/* Device health read-outs for the suites: every cpucp sensor, the HBM ECC block and the
 * thresholds a breach is judged against (the device's own limit and the configured one). */
#include "drivers/accel/accel.h"

#include "drivers/accel/hw/kiln_hbm.h"
#include "kernel/lib/fmt.h"
#include "kernel/lib/string.h"

void accel_ecc_read(struct accel *a, struct accel_ecc *e)
{
	e->serr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_SERR_COUNT);
	e->derr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_DERR_COUNT);
	e->last_addr = accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_ADDR_LO) |
		       (uint64_t)accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_ADDR_HI) << 32;
	uint32_t info = accel_rd(a, KILN_BLK_HBM + KILN_HBM_LAST_INFO);
	e->last_valid = (info & KILN_HBM_INFO_VALID) != 0;
	e->last_derr = (info & KILN_HBM_INFO_DERR) != 0;
	e->last_stack = (unsigned)KILN_FIELD_GET(KILN_HBM_INFO_STACK, info);
}

static const struct accel_sensor_def defs[] = {
	{ACCEL_SENSOR_TEMP, "temperature", KILN_CPUCP_TEMPERATURE_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mC"},
	{ACCEL_SENSOR_TEMP_LIMIT, "temperature-limit", KILN_CPUCP_TEMPERATURE_GET, true, 0, KILN_CPUCP_SENSOR_MAX, "mC"},
	{ACCEL_SENSOR_VOLTAGE, "voltage", KILN_CPUCP_VOLTAGE_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mV"},
	{ACCEL_SENSOR_CURRENT, "current", KILN_CPUCP_CURRENT_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "mA"},
	{ACCEL_SENSOR_POWER, "power", KILN_CPUCP_POWER_GET, false, 0, 0, "mW"},
	{ACCEL_SENSOR_POWER_LIMIT, "power-limit", KILN_CPUCP_MAX_POWER_GET, false, 0, 0, "mW"},
	{ACCEL_SENSOR_FAN, "fan", KILN_CPUCP_FAN_SPEED_GET, true, 0, KILN_CPUCP_SENSOR_INPUT, "rpm"},
	{ACCEL_SENSOR_PCIE_TX, "pcie-tx", KILN_CPUCP_PCIE_THROUGHPUT_GET, false, 0, 0, "bytes"},
	{ACCEL_SENSOR_PCIE_RX, "pcie-rx", KILN_CPUCP_PCIE_THROUGHPUT_GET, false, 1, 0, "bytes"},
	{ACCEL_SENSOR_PCIE_REPLAY, "pcie-replay", KILN_CPUCP_PCIE_REPLAY_CNT_GET, false, 0, 0, "replays"},
	{ACCEL_SENSOR_HBM_ECC, "hbm-ecc", KILN_CPUCP_HBM_ECC_GET, false, 0, 0, "derr<<32|serr"},
};

const struct accel_sensor_def *accel_sensor_defs(unsigned *count)
{
	*count = sizeof defs / sizeof defs[0];
	return defs;
}

int accel_sensor_read(struct accel *a, const struct accel_sensor_def *d, uint64_t *value, uint32_t *rc)
{
	uint32_t index = d->index;
	if (d->sensor) { /* sensor_index and attribute type share the index word */
		struct kiln_cpucp_packet p;
		memset(&p, 0, sizeof p);
		p.sensor_index = (uint16_t)d->index;
		p.type = (uint16_t)d->type;
		index = p.index;
	}
	return accel_cpucp(a, d->opcode, 0, index, 0, value, rc);
}
