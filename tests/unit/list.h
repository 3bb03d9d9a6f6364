/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The one list of unit test cases: TEST_ENTRY(<module>_<case>) for a function
 * `int test_<module>_<case>(void)`. runner.c expands this file twice.
 */
TEST_ENTRY(ae_readable)
TEST_ENTRY(ae_writable)
TEST_ENTRY(ae_delete_pending)
TEST_ENTRY(ae_barrier)
TEST_ENTRY(ae_timer_order)
TEST_ENTRY(ae_timer_rearm)
TEST_ENTRY(ae_timer_delete)
TEST_ENTRY(ae_sleep_hooks)
TEST_ENTRY(ae_resize)
TEST_ENTRY(ae_fd_setsize)
TEST_ENTRY(ae_range)
TEST_ENTRY(ae_backend_names)
TEST_ENTRY(ae_wait)
