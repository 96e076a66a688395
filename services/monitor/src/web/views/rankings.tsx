import { useState } from 'react';
import type { CustomerDto, ProductDto } from '../../contract.js';
import { QueryState } from '../components/states.js';
import { SortableTable, type Column } from '../components/sortable-table.js';
import { OrderId } from '../components/order-id.js';
import { formatMoney, formatTime } from '../format.js';
import { useCustomers, useProducts } from '../queries.js';

const customerColumns: readonly Column<CustomerDto>[] = [
  { key: 'id', label: 'Customer', value: (c) => c['customer-id'], numeric: true },
  { key: 'orders', label: 'Orders', value: (c) => c['total-orders'], numeric: true },
  {
    key: 'spent',
    label: 'Total Spent',
    value: (c) => c['total-spent'],
    render: (c) => formatMoney(c['total-spent']),
    numeric: true,
  },
  {
    key: 'first',
    label: 'First Order',
    value: (c) => c['first-order-timestamp'],
    render: (c) => formatTime(c['first-order-timestamp']),
  },
  {
    key: 'last',
    label: 'Last Order',
    value: (c) => c['last-order-timestamp'],
    render: (c) => formatTime(c['last-order-timestamp']),
  },
  {
    key: 'lastId',
    label: 'Last Order Id',
    value: (c) => c['last-order-id'],
    render: (c) => <OrderId id={c['last-order-id']} />,
  },
];

const productColumns: readonly Column<ProductDto>[] = [
  { key: 'id', label: 'Product', value: (p) => p['product-id'] },
  { key: 'quantity', label: 'Quantity Sold', value: (p) => p['total-quantity'], numeric: true },
  {
    key: 'revenue',
    label: 'Revenue',
    value: (p) => p['total-revenue'],
    render: (p) => formatMoney(p['total-revenue']),
    numeric: true,
  },
  { key: 'orders', label: 'Orders', value: (p) => p['order-count'], numeric: true },
  {
    key: 'avg',
    label: 'Avg Qty',
    value: (p) => p['avg-quantity'],
    render: (p) => p['avg-quantity'].toFixed(1),
    numeric: true,
  },
  {
    key: 'last',
    label: 'Last Order',
    value: (p) => p['last-order-timestamp'],
    render: (p) => formatTime(p['last-order-timestamp']),
  },
];

export function CustomersView() {
  const customers = useCustomers();
  const [filter, setFilter] = useState('');
  const wanted = filter.trim();
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      <div className="card">
        <label htmlFor="customer-filter">Customer id</label>
        <input
          id="customer-filter"
          inputMode="numeric"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="exact id"
        />
        <QueryState query={customers} what="customers" isEmpty={(d) => d.length === 0}>
          {(list) => {
            const rows = wanted === '' ? list : list.filter((c) => String(c['customer-id']) === wanted);
            return rows.length === 0 ? (
              <p className="state">No customer with id {wanted}.</p>
            ) : (
              <SortableTable
                label="Customers"
                rows={rows}
                columns={customerColumns}
                rowKey={(c) => String(c['customer-id'])}
                initialSort={{ key: 'spent', descending: true }}
              />
            );
          }}
        </QueryState>
      </div>
    </section>
  );
}

export function ProductsView() {
  const products = useProducts();
  const [filter, setFilter] = useState('');
  const prefix = filter.trim().toLowerCase();
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">Products</h1>
      <div className="card">
        <label htmlFor="product-filter">Product id starts with</label>
        <input
          id="product-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="e.g. PROD-00"
        />
        <QueryState query={products} what="products" isEmpty={(d) => d.length === 0}>
          {(list) => {
            const rows = list.filter((p) => p['product-id'].toLowerCase().startsWith(prefix));
            return rows.length === 0 ? (
              <p className="state">No product id starts with “{filter.trim()}”.</p>
            ) : (
              <SortableTable
                label="Products"
                rows={rows}
                columns={productColumns}
                rowKey={(p) => p['product-id']}
                initialSort={{ key: 'revenue', descending: true }}
              />
            );
          }}
        </QueryState>
      </div>
    </section>
  );
}
