/*
 * options.h - every option of the command line, once, as curl keeps its
 * options: getopt_long's table, --help, the OPTIONS sections of the man
 * page (doc/vtune-xml.1) and of doc/vtune-xml.md, and the words bash
 * completion offers are all generated from it (tests/options-doc.sh
 * holds the documents to it).
 */
#ifndef VT_OPTIONS_H
#define VT_OPTIONS_H

#include <stddef.h>

/* What cli_parse switches on: the short letter, or one of these. */
enum {
    O_HOST = 256, O_PROFILE, O_POLICY, O_ENABLE, O_DISABLE, O_SET, O_DIFF,
    O_CHECK, O_EXPLAIN, O_REPORT, O_STRICT, O_APPLY, O_DRY_RUN, O_LIST,
    O_VERSION, O_VALIDATE, O_NO_VALIDATE, O_COLOR, O_SKIP_NON_DOMAIN,
    O_NO_CONFIG, O_TIMEOUT, O_FORCE, O_ALL,
};

/* The commands an option belongs to. */
enum { C_TUNE = 1, C_SNAPSHOT = 2, C_EXPLAIN = 4, C_FIT = 8, C_ANY = 15 };

/* What the option's value is, for completion. */
enum vt_option_arg { A_NONE, A_FILE, A_VALUE, A_RULE, A_PARAM, A_URI };

typedef struct vt_option {
    const char *name;       /* the long name, without "--" */
    int id;                 /* the short letter, or O_* */
    int has_arg;            /* getopt's no_argument, required_argument,
                               optional_argument */
    const char *section;    /* the --help section it opens, or NULL */
    const char *synopsis;   /* --help's left column ("--host SRC") */
    const char *help;       /* --help's right column; '\n' continues it on
                               the next line */
    const char *choices;    /* the values the argument may take
                               ("a|b|c"), or NULL: any */
    unsigned cmds;          /* C_* it is accepted by */
    enum vt_option_arg arg; /* what its value is */
    const char *doc;        /* the manual's paragraph; `code` in
                               backticks */
} vt_option;

/* The options, in --help order, ending with {NULL}. */
extern const vt_option cli_options[];

/* The --help text, generated from cli_options (owned by the caller). */
char *options_help(void);

/* The OPTIONS section of the manual, generated from cli_options: roff
 * for the man page, or Markdown for doc/vtune-xml.md (owned by the
 * caller). `vtune-xml --help=man` and `--help=markdown` print them. */
enum { DOC_MAN, DOC_MARKDOWN };
char *options_doc(int format);

/* A line per option for bash completion (`vtune-xml --help=completion`):
 * "COMMANDS --NAME KIND -L CHOICE...", COMMANDS the commands that take
 * it, comma-joined ("tune", "tune,snapshot,fit"), or "any"; --NAME ends in "[=]" when the value is
 * optional; KIND none, file, value, rule, param or uri; -L the short
 * letter or "-". */
char *options_completion(void);

/* The long names, in NAMES (at most MAX); returns how many. */
int options_names(const char **names, int max);

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
