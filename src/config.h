/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Configuration: one table of directives (name, type, default, bounds, apply
 * function) drives the config file, command-line overrides, CONFIG GET, CONFIG
 * SET and CONFIG REWRITE. Main thread only.
 */
#ifndef LOOM_CONFIG_H
#define LOOM_CONFIG_H

/* Sets every directive to its default. Call once, before loading. */
void configInitDefaults(void);
/* Loads the config file (NULL: none) and then the command-line options
 * (argv entries after the file, "--name value ..."). On any error prints the
 * file, line and reason, and exits. */
void configLoad(const char *path, int argc, char **argv);

/* The multiplexer directive's value: "auto", "epoll", "kqueue", "poll", "select". */
const char *configMultiplexerName(void);

#endif
