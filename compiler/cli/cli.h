/*
 * cli.h - the command line, parsed into one struct; no work is done here.
 * The contract is in doc/vtune-xml.md (and `vtune-xml --help`).
 */
#ifndef VT_CLI_H
#define VT_CLI_H

enum vt_cli_op_kind { OP_ENABLE, OP_DISABLE, OP_SET };

typedef struct vt_cli_op {
    enum vt_cli_op_kind kind;
    const char *arg;
} vt_cli_op;

typedef struct vt_cli {
    int snapshot;           /* the `snapshot` subcommand */
    int fit;                /* the `fit` subcommand */
    const char **hosts;     /* fit: every --host, in order */
    int nhosts;
    const char *host;       /* --host SRC, NULL = live machine */
    const char *profile;    /* --profile */
    const char *policy;     /* --policy FILE */
    vt_cli_op *ops;            /* --enable/--disable/--set, in order */
    int nops;
    int diff, check, explain, strict, inplace, apply, dry_run;
    int quiet;              /* -q: no notes on stderr */
    int no_config;          /* --no-config: no .vtune-xml.json lookup */
    int explain_rules;      /* the `explain RULE...` subcommand (inputs
                               are the rule ids) */
    int skip_non_domain;    /* --skip-non-domain */
    int validate;           /* 0 off (default, --no-validate), 1 --validate
                               (input and output), 2 --validate=output
                               (only the tool's edits) */
    const char *report;     /* --report text|json|markdown|sarif, or NULL */
    const char *color;      /* --color auto|always|never (auto default) */
    const char *out;        /* -o OUT */
    const char *uri;        /* -c URI */
    const char *list_rules; /* --list-rules[=text|markdown|json]; the
                               inputs are then formats or rule filters */
    const char *help;       /* --help[=text|man|markdown|completion] */
    int version;
    int force;              /* --force: replace read-only outputs */
    int all;                /* --all: the domains of -c URI */
    long timeout;           /* --timeout SECONDS, -1 when not given */
    char **inputs;          /* domain files, "-" for stdin */
    int ninputs;
} vt_cli;

/* Parses ARGV into O (pointers into ARGV; free with cli_free). Returns 0,
 * or prints a usage error and returns 2. */
int cli_parse(int argc, char **argv, vt_cli *o);
void cli_free(vt_cli *o);


#endif
