/*
 * options.h - every option of the command line, once: getopt_long's
 * table and the --help text are generated from it (doc/vtune-xml.md and
 * the man page document the same options).
 */
#ifndef VT_OPTIONS_H
#define VT_OPTIONS_H

#include <stddef.h>

/* What cli_parse switches on: the short letter, or one of these. */
enum {
    O_HOST = 256, O_PROFILE, O_POLICY, O_ENABLE, O_DISABLE, O_SET, O_DIFF,
    O_CHECK, O_EXPLAIN, O_REPORT, O_STRICT, O_APPLY, O_DRY_RUN, O_LIST,
    O_VERSION, O_VALIDATE, O_NO_VALIDATE, O_COLOR, O_SKIP_NON_DOMAIN,
};

typedef struct vt_option {
    const char *name;       /* the long name, without "--" */
    int id;                 /* the short letter, or O_* */
    int has_arg;            /* getopt's no_argument, required_argument,
                               optional_argument */
    const char *section;    /* the --help section it opens, or NULL */
    const char *synopsis;   /* --help's left column ("--host SRC"), or
                               NULL: shown in another option's line */
    const char *help;       /* --help's right column; '\n' continues it on
                               the next line */
    const char *choices;    /* the values the argument may take
                               ("a|b|c"), or NULL: any */
} vt_option;

/* The options, in --help order, ending with {NULL}. */
extern const vt_option cli_options[];

/* The --help text, generated from cli_options (owned by the caller). */
char *options_help(void);

/* The option with getopt id ID (static), or NULL. */
const vt_option *options_by_id(int id);

/* 0 when ARG is one of O's choices (or O has none); else -1 with the
 * message ("--NAME 'ARG': expected a, b or c") in ERR (N bytes). */
int options_check_choice(const vt_option *o, const char *arg, char *err,
                         size_t n);

/* getopt_long's option table and short-option string (":c:o:ih") for
 * cli_options, built once; static storage. */
const void *options_getopt(const char **shortopts);

#endif
