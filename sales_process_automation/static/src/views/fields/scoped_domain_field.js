import { Domain } from "@web/core/domain";
import { registry } from "@web/core/registry";
import { DomainField, domainField } from "@web/views/fields/domain/domain_field";

/**
 * The domain field of a condition that applies within a scope (a policy's
 * stage and teams, a rule's other conditions): the records it counts and
 * shows are those of the scope, given by another field of the record.
 */
export class ScopedDomainField extends DomainField {
    static props = {
        ...DomainField.props,
        scopeField: { type: String, optional: true },
    };

    getEvaluatedDomain(props = this.props) {
        const domain = super.getEvaluatedDomain(props);
        const scope = props.scopeField && props.record.data[props.scopeField];
        if (!scope || domain.isInvalid) {
            return domain;
        }
        return Domain.and([scope, domain]).toList();
    }
}

export const scopedDomainField = {
    ...domainField,
    component: ScopedDomainField,
    extractProps(fieldInfo, dynamicInfo) {
        return {
            ...domainField.extractProps(fieldInfo, dynamicInfo),
            scopeField: fieldInfo.options.scope_field,
        };
    },
};

registry.category("fields").add("sales_process_scoped_domain", scopedDomainField);
