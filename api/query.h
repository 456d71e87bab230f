/*
 * api/query: Neutron's list query parameters, as pure functions over the
 * rendered JSON objects: equality filters on any attribute (a repeated
 * parameter matches any of its values), "fields" selection, and the
 * "fixed_ips=ip_address=..." / "fixed_ips=subnet_id=..." filters.
 *
 * Contract: a filter on an attribute that the object does not have is
 * ignored (as Neutron does without strict filter validation); paging and
 * sorting parameters (limit, marker, sort_key, sort_dir, page_reverse) are
 * accepted and ignored: lists are always complete and sorted by id.
 */

#ifndef API_QUERY_H
#define API_QUERY_H 1

#include "api/json-compat.h"
#include <stdbool.h>
#include <stddef.h>

struct api_param;
struct ovsdb_idl_row;

struct api_filter {
    char *name;
    char **values;
    size_t n_values;
};

struct api_query {
    struct api_filter *filters;
    size_t n_filters;
    char **fields;
    size_t n_fields;
};

char *api_query_parse(struct api_query *, const struct api_param *,
                      size_t n);
void api_query_destroy(struct api_query *);
bool api_query_match(const struct api_query *, const json_t *obj);
json_t *api_query_select(const struct api_query *, json_t *obj);
void api_query_sort_rows(const struct ovsdb_idl_row **, size_t n);

#endif /* api/query.h */
