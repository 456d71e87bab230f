/*
 * api/query: list filters and field selection.  See query.h.
 */

#include <config.h>

#include "api/json-compat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ovsdb-idl-provider.h"
#include "util.h"
#include "uuid.h"
#include "api/core.h"
#include "api/query.h"

static bool
is_ignored(const char *name)
{
    static const char *const ignored[] = {
        "limit", "marker", "sort_key", "sort_dir", "page_reverse",
        "verbose", "tags", "tags-any", "not-tags", "not-tags-any",
    };
    for (size_t i = 0; i < ARRAY_SIZE(ignored); i++) {
        if (!strcmp(name, ignored[i])) {
            return true;
        }
    }
    return false;
}

static void
add_field(struct api_query *q, const char *name, size_t len)
{
    if (len) {
        q->fields = xrealloc(q->fields,
                             (q->n_fields + 1) * sizeof *q->fields);
        q->fields[q->n_fields++] = xmemdup0(name, len);
    }
}

/* Adds the names in a "fields" value: one name, or (as openstacksdk sends
 * them) a Python list "['id', 'name']". */
static void
add_fields(struct api_query *q, const char *value)
{
    size_t len = strlen(value);
    if (len < 2 || value[0] != '[' || value[len - 1] != ']') {
        add_field(q, value, len);
        return;
    }
    const char *p = value + 1;
    const char *end = value + len - 1;
    while (p < end) {
        p += strspn(p, " ,'\"");
        size_t n = strcspn(p, " ,'\"]");
        if (p + n > end) {
            n = end - p;
        }
        add_field(q, p, n);
        p += n;
    }
}

/* Parses the query parameters.  Returns NULL or an error message. */
char *
api_query_parse(struct api_query *q, const struct api_param *params,
                size_t n)
{
    memset(q, 0, sizeof *q);
    for (size_t i = 0; i < n; i++) {
        const char *name = params[i].name;
        const char *value = params[i].value;
        if (!*name || strlen(name) > 255 || strlen(value) > 4096) {
            api_query_destroy(q);
            return xstrdup("Invalid query parameter");
        }
        if (!strcmp(name, "fields")) {
            add_fields(q, value);
            continue;
        }
        if (is_ignored(name)) {
            continue;
        }

        struct api_filter *f = NULL;
        for (size_t j = 0; j < q->n_filters; j++) {
            if (!strcmp(q->filters[j].name, name)) {
                f = &q->filters[j];
            }
        }
        if (!f) {
            q->filters = xrealloc(q->filters,
                                  (q->n_filters + 1) * sizeof *q->filters);
            f = &q->filters[q->n_filters++];
            f->name = xstrdup(name);
            f->values = NULL;
            f->n_values = 0;
        }
        f->values = xrealloc(f->values, (f->n_values + 1) * sizeof *f->values);
        f->values[f->n_values++] = xstrdup(value);
    }
    return NULL;
}

void
api_query_destroy(struct api_query *q)
{
    for (size_t i = 0; i < q->n_filters; i++) {
        for (size_t j = 0; j < q->filters[i].n_values; j++) {
            free(q->filters[i].values[j]);
        }
        free(q->filters[i].values);
        free(q->filters[i].name);
    }
    free(q->filters);
    for (size_t i = 0; i < q->n_fields; i++) {
        free(q->fields[i]);
    }
    free(q->fields);
    memset(q, 0, sizeof *q);
}

static bool
match_scalar(const json_t *v, const char *want)
{
    if (json_is_string(v)) {
        return !strcmp(json_string_value(v), want);
    } else if (json_is_boolean(v)) {
        bool b = json_is_true(v);
        return (b ? (!strcasecmp(want, "true") || !strcmp(want, "1"))
                  : (!strcasecmp(want, "false") || !strcmp(want, "0")));
    } else if (json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%"JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        return !strcmp(buf, want);
    } else if (json_is_null(v)) {
        return !*want || !strcmp(want, "None") || !strcmp(want, "null");
    }
    return false;
}

/* "fixed_ips=ip_address=1.2.3.4": the list has an element whose 'key' has
 * that value. */
static bool
match_sub(const json_t *list, const char *want)
{
    const char *eq = strchr(want, '=');
    if (!eq) {
        return false;
    }
    char *key = xmemdup0(want, eq - want);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach (CONST_CAST(json_t *, list), i, item) {
        const json_t *v = json_object_get(item, key);
        if (v && match_scalar(v, eq + 1)) {
            found = true;
            break;
        }
    }
    free(key);
    return found;
}

static bool
match_value(const json_t *v, const char *want)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach (CONST_CAST(json_t *, v), i, item) {
            if (json_is_object(item) ? match_sub(v, want)
                                     : match_scalar(item, want)) {
                return true;
            }
        }
        return false;
    }
    return match_scalar(v, want);
}

bool
api_query_match(const struct api_query *q, const json_t *obj)
{
    for (size_t i = 0; i < q->n_filters; i++) {
        const struct api_filter *f = &q->filters[i];
        const json_t *v = json_object_get(obj, f->name);
        if (!v) {
            continue;
        }
        bool any = false;
        for (size_t j = 0; j < f->n_values && !any; j++) {
            any = match_value(v, f->values[j]);
        }
        if (!any) {
            return false;
        }
    }
    return true;
}

/* Returns 'obj' reduced to the requested fields (takes ownership). */
json_t *
api_query_select(const struct api_query *q, json_t *obj)
{
    if (!q->n_fields) {
        return obj;
    }
    json_t *out = json_object();
    for (size_t i = 0; i < q->n_fields; i++) {
        json_t *v = json_object_get(obj, q->fields[i]);
        if (v) {
            json_object_set(out, q->fields[i], v);
        }
    }
    json_decref(obj);
    return out;
}

static int
compare_rows(const void *a_, const void *b_)
{
    const struct ovsdb_idl_row *const *a = a_;
    const struct ovsdb_idl_row *const *b = b_;
    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

void
api_query_sort_rows(const struct ovsdb_idl_row **rows, size_t n)
{
    if (n > 1) {
        qsort(rows, n, sizeof *rows, compare_rows);
    }
}
