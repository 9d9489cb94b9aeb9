export * from './kube-api-stand-in';
export * from './k8s-schema-validator';
