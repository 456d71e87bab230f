/*
 * api/json-compat: lets one translation unit use both jansson (the REST
 * JSON of dvr-api) and Open vSwitch's headers (the IDL), whose
 * "openvswitch/json.h" declares functions and enumerators with the same
 * names as jansson's (json_object, json_string, JSON_OBJECT, ...).
 *
 * It includes OVS's json.h with those names renamed (ovs_json_object, ...)
 * and then jansson.h.  Every api/ file that needs jansson includes this
 * header right after <config.h>, before any other Open vSwitch header, so
 * that json.h's include guard keeps the renamed copy.  Code here never
 * calls OVS's JSON API under those names; the IDL uses it internally.
 * Code that includes jansson must include this header instead.
 */

#ifndef API_JSON_COMPAT_H
#define API_JSON_COMPAT_H 1

#ifdef JSON_H
#error "api/json-compat.h must come before any Open vSwitch header"
#endif

#define JSON_ARRAY OVS_JSON_ARRAY
#define JSON_FALSE OVS_JSON_FALSE
#define JSON_INTEGER OVS_JSON_INTEGER
#define JSON_NULL OVS_JSON_NULL
#define JSON_OBJECT OVS_JSON_OBJECT
#define JSON_REAL OVS_JSON_REAL
#define JSON_STRING OVS_JSON_STRING
#define JSON_TRUE OVS_JSON_TRUE
#define json_array ovs_json_array
#define json_boolean ovs_json_boolean
#define json_equal ovs_json_equal
#define json_integer ovs_json_integer
#define json_object ovs_json_object
#define json_real ovs_json_real
#define json_string ovs_json_string
#define json_type ovs_json_type
#include "openvswitch/json.h"
#undef JSON_ARRAY
#undef JSON_FALSE
#undef JSON_INTEGER
#undef JSON_NULL
#undef JSON_OBJECT
#undef JSON_REAL
#undef JSON_STRING
#undef JSON_TRUE
#undef json_array
#undef json_boolean
#undef json_equal
#undef json_integer
#undef json_object
#undef json_real
#undef json_string
#undef json_type

#include <jansson.h>
#include <string.h>

/* The same six names clash at link time too: libopenvswitch.a defines
 * json_array(), json_equal(), json_integer(), json_object(), json_real()
 * and json_string(), and a program linked with it would call those
 * instead of jansson's.  (jansson's own internal calls are direct, so
 * they are safe.)  So code here must not call them: these macros route
 * the constructors through jansson functions with other names. */
#undef json_object
#undef json_array
#undef json_string
#undef json_integer
#define json_object() json_pack("{}")
#define json_array() json_pack("[]")
static inline json_t *
api_json_string_(const char *s)
{
    return json_stringn(s, strlen(s));
}
#define json_string(S) api_json_string_(S)
#define json_integer(I) json_pack("I", (json_int_t) (I))
#define json_real json_real_clashes_with_libopenvswitch
#define json_equal json_equal_clashes_with_libopenvswitch

#endif /* api/json-compat.h */
