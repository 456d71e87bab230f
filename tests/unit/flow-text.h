/*
 * tests/unit/flow-text: the compiler's flows as text, for the unit tests
 * of pipeline/ and dvr/ (Criterion).
 *
 * flows_text() formats every flow of a flow list, one per line, in list
 * order (the caller frees the string); assert_has() fails the test,
 * printing the text, unless 'needle' occurs in it.
 */

#ifndef TESTS_UNIT_FLOW_TEXT_H
#define TESTS_UNIT_FLOW_TEXT_H 1

#include "pipeline/flow.h"

char *flows_text(const struct flow_list *);
void assert_has(const char *text, const char *needle);

#endif /* tests/unit/flow-text.h */
