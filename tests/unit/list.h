/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The one list of unit test cases: TEST_ENTRY(<module>_<case>) for a function
 * `int test_<module>_<case>(void)`. runner.c expands this file twice.
 */
