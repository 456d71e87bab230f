/*
 * Unit tests of the NB schema and the IDL generated from it: the IDL must
 * match the schema file column for column, and the references between
 * tables must have the strength that keeps the model consistent (a parent
 * cannot be deleted under its children; a dissociable link is weak).
 */

#include <config.h>

#include <criterion/criterion.h>
#include <string.h>

#include "ovsdb/nb-idl.h"
#include "ovsdb/column.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/table.h"
#include "openvswitch/shash.h"
#include "ovsdb-error.h"

static struct ovsdb_schema *schema;

static void
load_schema(void)
{
    const char *file = getenv("DVR_NB_SCHEMA");
    cr_assert(file, "DVR_NB_SCHEMA must name the schema file");
    struct ovsdb_error *error = ovsdb_schema_from_file(file, &schema);
    cr_assert(!error, "cannot load %s", file);
}

static void
free_schema(void)
{
    ovsdb_schema_destroy(schema);
}

TestSuite(nb_schema, .init = load_schema, .fini = free_schema);

Test(nb_schema, idl_matches_schema)
{
    cr_assert_str_eq(schema->name, nbrec_idl_class.database);
    cr_assert_eq(shash_count(&schema->tables), nbrec_idl_class.n_tables);
    for (size_t i = 0; i < nbrec_idl_class.n_tables; i++) {
        const struct ovsdb_idl_table_class *tc = &nbrec_idl_class.tables[i];
        const struct ovsdb_table_schema *ts
            = shash_find_data(&schema->tables, tc->name);
        cr_assert(ts, "IDL table %s is not in the schema", tc->name);
        /* The schema adds _uuid and _version to every table. */
        cr_assert_eq(shash_count(&ts->columns) - 2, tc->n_columns,
                     "table %s: columns differ", tc->name);
        for (size_t j = 0; j < tc->n_columns; j++) {
            cr_assert(shash_find(&ts->columns, tc->columns[j].name),
                      "column %s.%s missing", tc->name,
                      tc->columns[j].name);
        }
    }
}

static const struct ovsdb_type *
column_type(const char *table, const char *column)
{
    const struct ovsdb_table_schema *ts
        = shash_find_data(&schema->tables, table);
    cr_assert(ts, "no table %s", table);
    const struct ovsdb_column *c = shash_find_data(&ts->columns, column);
    cr_assert(c, "no column %s.%s", table, column);
    return &c->type;
}

static void
assert_ref(const char *table, const char *column, const char *ref_table,
           enum ovsdb_ref_type strength)
{
    const struct ovsdb_type *type = column_type(table, column);
    cr_assert_eq(type->key.type, OVSDB_TYPE_UUID);
    cr_assert_str_eq(type->key.uuid.refTableName, ref_table);
    cr_assert_eq(type->key.uuid.refType, strength,
                 "%s.%s has the wrong reference strength", table, column);
}

Test(nb_schema, references_keep_parents)
{
    /* Children hold their parents strongly: deleting a network under its
     * subnets or ports, or a subnet under an allocated address, fails. */
    assert_ref("Subnet", "network", "Network", OVSDB_REF_STRONG);
    assert_ref("Port", "network", "Network", OVSDB_REF_STRONG);
    assert_ref("Port", "fixed_ips", "Fixed_IP", OVSDB_REF_STRONG);
    assert_ref("Fixed_IP", "subnet", "Subnet", OVSDB_REF_STRONG);
    assert_ref("Port", "security_groups", "Security_Group",
               OVSDB_REF_STRONG);
    assert_ref("Security_Group", "rules", "Security_Group_Rule",
               OVSDB_REF_STRONG);
    assert_ref("Floating_IP", "floating_network", "Network",
               OVSDB_REF_STRONG);
    assert_ref("Router", "interfaces", "Port", OVSDB_REF_STRONG);
}

Test(nb_schema, dissociable_links_are_weak)
{
    /* Deleting a port dissociates its floating IP and clears bindings. */
    assert_ref("Floating_IP", "port", "Port", OVSDB_REF_WEAK);
    assert_ref("Floating_IP", "router", "Router", OVSDB_REF_WEAK);
    assert_ref("Port_Binding", "port", "Port", OVSDB_REF_WEAK);
    assert_ref("Port_Binding", "chassis", "Chassis", OVSDB_REF_WEAK);
    assert_ref("Security_Group_Rule", "remote_group", "Security_Group",
               OVSDB_REF_WEAK);
}

Test(nb_schema, addresses_are_unique)
{
    /* The (subnet, ip_address) index is what makes IPAM safe under
     * concurrent transactions. */
    const struct ovsdb_table_schema *ts
        = shash_find_data(&schema->tables, "Fixed_IP");
    cr_assert(ts && ts->n_indexes == 1);
    cr_assert_eq(ts->indexes[0].n_columns, 2);
    cr_assert(!ts->is_root, "Fixed_IP rows die with their port");
}

Test(nb_schema, instances_by_id)
{
    /* The metadata service finds an instance by a port's device_id. */
    const struct ovsdb_table_schema *ts
        = shash_find_data(&schema->tables, "Instance");
    cr_assert(ts && ts->n_indexes == 1);
    cr_assert_eq(ts->indexes[0].n_columns, 1);
    cr_assert_str_eq(ts->indexes[0].columns[0]->name, "instance_id");
    const struct ovsdb_type *type = column_type("Instance", "user_data");
    cr_assert_eq(type->n_min, 0);
    cr_assert_eq(type->n_max, 1);
}
