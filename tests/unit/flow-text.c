/*
 * tests/unit/flow-text: see flow-text.h.
 */

#include <config.h>

#include "tests/unit/flow-text.h"

#include <criterion/criterion.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"

char *
flows_text(const struct flow_list *list)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct dvr_flow *f;

    LIST_FOR_EACH (f, owner_node, &list->flows) {
        dvr_flow_format(f, NULL, NULL, &s);
        ds_put_char(&s, '\n');
    }
    return ds_steal_cstr(&s);
}

void
assert_has(const char *text, const char *needle)
{
    cr_assert(strstr(text, needle), "expected \"%s\" in:\n%s", needle, text);
}
