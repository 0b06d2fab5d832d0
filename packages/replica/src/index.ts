export * from './normal';
export * from './quadrature';
export * from './priors';
export * from './channels';
export * from './ensembles';
export * from './replica-formula';
export * from './stochastic-network';
export * from './linear-algebra';
