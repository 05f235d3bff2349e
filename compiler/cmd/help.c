/*
 * help.c - `vtune-xml --help[=FORMAT]`: the usage, or what the manual and
 * bash completion are generated from (all from the option table of
 * cli/options.c).
 */
#include "cmd.h"
#include "error.h"
#include "options.h"
#include "stdout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_help(const char *format)
{
    char *text;
    if (!strcmp(format, "text"))
        text = options_help();
    else if (!strcmp(format, "man"))
        text = options_doc(DOC_MAN);
    else if (!strcmp(format, "markdown"))
        text = options_doc(DOC_MARKDOWN);
    else if (!strcmp(format, "completion"))
        text = options_completion();
    else
        return vt_fail(VT_EXIT_USAGE, NULL, 0, "--help=%s: expected text, "
                       "man, markdown or completion", format);
    stdout_puts(text);
    free(text);
    return 0;
}
