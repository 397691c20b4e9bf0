// SPDX-License-Identifier: GPL-2.0
/*
 * Meta-test of the test bench: loading this module with warn=1 triggers a
 * kernel WARN, which must make the guest run fail (panic_on_warn=1).
 */
#include <linux/module.h>
#include <linux/bug.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN on load (bench meta-test)");

static int __init selftest_warn_init(void)
{
	WARN(warn, "adaptswap bench meta-test: deliberate WARN\n");
	return 0;
}

static void __exit selftest_warn_exit(void)
{
}

module_init(selftest_warn_init);
module_exit(selftest_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("adaptswap test-bench meta-test module");
