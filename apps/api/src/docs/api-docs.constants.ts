export const API_DOCS_ROUTE = '/admin/docs';
export const API_DOCS_JSON_ROUTE = '/admin/docs-json';
/** The security scheme name the admin controllers reference (`@ApiBasicAuth`). */
export const ADMIN_AUTH_SCHEME = 'admin';
